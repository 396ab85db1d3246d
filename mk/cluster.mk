# Scale-out: several Rasa servers on PostgreSQL + Redis behind nginx (issues 6, 13).
#   make run-cluster [RASA_SERVERS=3]  - start the cluster in the foreground (Ctrl-C stops); every
#                                        channel whose variables are set (REST, Telegram, Zalo, widget)
#   make test-cluster                  - cluster tests on real PostgreSQL/Redis/nginx (part of make test)
#   make load                          - the full load run: 200 senders x 10 messages
.PHONY: nginx run-cluster test-cluster load

# Debian's nginx, installed only when missing (needs root); we never use the
# system service, only our own config (deploy/nginx.conf).
nginx:
	@command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	@command -v nginx >/dev/null && nginx -v

run-cluster: db model nginx widget-optional
	$(BIN)/python -m bot cluster

# Shortened load run here (CLUSTER_LOAD_SENDERS x CLUSTER_LOAD_MESSAGES).
test-cluster: model nginx
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/cluster

LOAD_SENDERS  ?= 200
LOAD_MESSAGES ?= 10
load: model nginx
	CLUSTER_LOAD_SENDERS=$(LOAD_SENDERS) CLUSTER_LOAD_MESSAGES=$(LOAD_MESSAGES) \
	  $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/cluster/test_load.py

TEST_STAGES += test-cluster
