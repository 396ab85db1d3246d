# Channels (issue 3): Telegram, Zalo Official Account and the website widget.
#   make widget         - install the widget (npm package rasa-webchat) into web/node_modules with `npm ci`
#   make chromium       - Debian's chromium for the browser test, installed only when missing (needs root)
#   make test-channels  - channel tests against the real Rasa server, local fake Telegram/Zalo APIs and
#                         headless Chromium (part of make test; ~2-3 min)
.PHONY: widget widget-optional chromium test-channels

WIDGET_BUNDLE := web/node_modules/rasa-webchat/lib/index.js

$(WIDGET_BUNDLE): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

widget: $(WIDGET_BUNDLE)

# `make run` serves the widget page at /widget/; without npm it starts anyway and says why the page is missing.
widget-optional:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory widget; \
	  else echo "npm not found: the website widget page (/widget/) is off. Install Node.js and npm to enable it."; fi

run: widget-optional

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium

test-channels: model widget chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/channels

TEST_STAGES += test-channels
