# Trợ lý 797 — `make run` starts the assistant, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
MODEL     := models/tro-ly-797.tar.gz
NLU_PLAIN := data/nlu/generated/no_diacritics.yml
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

.PHONY: help install data db model run shell test lint test-unit test-rasa test-e2e validate lock clean

help:
	@echo "make run    - install, seed the database, train if needed, start the assistant (Ctrl-C stops)"
	@echo "make shell  - the same, chatting in this terminal"
	@echo "make test   - every test (lint, unit, data validation, test stories, held-out NLU, end to end,"
	@echo "              benchmark smoke, channels, cluster)"

# --- set-up ---------------------------------------------------------------
$(BIN)/python:
	@py=$$(scripts/find-python.sh) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt constraints.txt pyproject.toml
	$(BIN)/python -m pip install --quiet "pip==24.3.1" "setuptools==70.3.0" "wheel==0.45.1" -c constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed

# Diacritic-free copies of the training examples (git-ignored, rebuilt on change).
$(NLU_PLAIN): $(VENV)/.installed $(filter-out $(NLU_PLAIN),$(wildcard data/nlu/*.yml))
	$(BIN)/python -m bot.nlu.augment train data/nlu $@

data: $(NLU_PLAIN)

db: install
	$(BIN)/python -m bot init-db

# `rasa train` runs only when an input of the model is newer than the model
# (every later stage of `make test` reuses it without even asking Rasa); then
# Rasa's own fingerprinting decides which components need retraining.
# A "Misaligned entity annotation" warning fails the build: it means an
# annotation was silently dropped.
MODEL_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' -not -path '*/generated/*') \
                $(shell find bot/nlu bot/domain -name '*.py' -o -name '*.txt' -o -name '*.yml')

$(MODEL): $(VENV)/.installed $(NLU_PLAIN) $(MODEL_INPUTS)
	@mkdir -p var
	set -o pipefail; $(BIN)/rasa train --fixed-model-name tro-ly-797 --out models 2>&1 | tee var/train.log
	@if grep -q "Misaligned entity annotation" var/train.log; then \
	  echo "Training printed 'Misaligned entity annotation' (see var/train.log)"; exit 1; fi
	@test -f $@ && touch $@

model: $(MODEL)

# `python -m bot serve` (bot/cli/serve.py): action server, reminder scheduler and
# Rasa server on loopback, in the foreground; Ctrl-C stops all three.
run: db model
	$(BIN)/python -m bot serve

shell: db model
	$(BIN)/python -m bot serve --shell

# --- tests ----------------------------------------------------------------
validate: install data
	$(BIN)/rasa data validate --data data --domain domain.yml --config config.yml

# Ruff, configured in pyproject.toml, on the whole tree.
lint: install
	$(BIN)/ruff check .

# One folder of tests/ per stage; tests/unit mirrors the packages bot/ and actions/.
test-unit: install
	$(BIN)/python -m pytest tests/unit -q

test-rasa: model
	$(BIN)/rasa test core --model $(MODEL) --stories tests/stories --out results/core --fail-on-prediction-errors

test-e2e: model
	$(BIN)/python -m pytest tests/e2e -q

# Further stages (channels, cluster, bench smoke) add themselves to
# TEST_STAGES from mk/*.mk; each runs after the model is trained, reusing it.
TEST_STAGES := lint test-unit validate model test-rasa test-e2e
-include mk/*.mk

test: install
	@set -e; for stage in $(TEST_STAGES); do echo "=== make $$stage"; $(MAKE) --no-print-directory $$stage; done

# --- maintenance ----------------------------------------------------------
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf results var/train.log $(NLU_PLAIN)
