# sijie: the two commands of the README.
#   make demo  installs everything, builds the demo town, runs the main job, shows the outputs
#   make test  installs everything, runs ruff, mypy and import-linter, then the whole test suite
#   make messages  regenerates the message catalogue (geo/locale: .pot, .po, .mo) from the code
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# fonts-wqy-microhei: Chinese text in browser screenshots of the maps and in the printed maps;
# poppler-utils: pdftoppm and pdftotext, which the tests use to read the printed maps back;
# libreoffice-*-nogui: the tests open the package's .docx and .xlsx in LibreOffice (headless);
# python3-gdal, gdal-bin: GDAL's GeoPackage validator (validate_gpkg) and ogrinfo, which the
# tests run on the service's database and on every GeoPackage sijie writes; ogrinfo and
# ogr2ogr also read the OGC API as QGIS does (OAPIF driver)
APT_PACKAGES := postgresql-15-postgis-3 libsqlite3-mod-spatialite chromium fonts-wqy-microhei \
	poppler-utils libreoffice-writer-nogui libreoffice-calc-nogui python3-gdal gdal-bin
DEMO_OUT := out/demo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench fuzz messages system install clean

demo: install
	$(BIN)/sijie demo-data --out $(DEMO_OUT)/town
	$(BIN)/sijie info $(DEMO_OUT)/town/context.gpkg
	@mkdir -p $(DEMO_OUT)/reports $(DEMO_OUT)/adjust
	$(BIN)/sijie validate $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg
	@# every proposal: exit 1 means "checked, has errors", which is what the flawed ones show
	@for p in $(DEMO_OUT)/town/proposals/*.gpkg; do n=$$(basename $$p .gpkg); \
	  $(BIN)/sijie validate $$p --context $(DEMO_OUT)/town/context.gpkg --format json -o $(DEMO_OUT)/reports/$$n.json 2>/dev/null; \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc; \
	  $(BIN)/sijie validate $$p --context $(DEMO_OUT)/town/context.gpkg --format geojson -o $(DEMO_OUT)/reports/$$n.geojson 2>/dev/null; \
	  echo "  $$n: $$([ $$rc = 0 ] && echo '通过 passes' || echo '有错误 has errors')"; done
	$(BIN)/sijie adjust $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg -o $(DEMO_OUT)/adjust/good_industrial.gpkg
	$(BIN)/sijie package $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg -o $(DEMO_OUT)/package/good_industrial
	@mkdir -p $(DEMO_OUT)/maps
	$(BIN)/sijie map $(DEMO_OUT)/town/proposals/flaw_b3_offroad_edge.gpkg --context $(DEMO_OUT)/town/context.gpkg -o $(DEMO_OUT)/maps/validation_flaw_b3_offroad_edge.html
	$(BIN)/sijie map $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg -o $(DEMO_OUT)/maps/validation_good_industrial.html
	$(BIN)/sijie map $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg --kind adjustment -o $(DEMO_OUT)/maps/adjustment_good_industrial.html
	$(BIN)/sijie map $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg --kind grid -o $(DEMO_OUT)/maps/grid_good_industrial.html
	$(BIN)/sijie map $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg --kind facility -o $(DEMO_OUT)/maps/facility_good_industrial.html
	$(BIN)/sijie map $(DEMO_OUT)/town/proposals/good_industrial.gpkg --context $(DEMO_OUT)/town/context.gpkg --public -o $(DEMO_OUT)/maps/public_good_industrial.html
	@echo
	@echo "Demo town:        $(DEMO_OUT)/town/context.gpkg (context layers) and $(DEMO_OUT)/town/proposals/"
	@echo "Validation:       $(DEMO_OUT)/reports/<proposal>.json and .geojson (findings located on the map)"
	@echo "Adjustment:       $(DEMO_OUT)/adjust/good_industrial.gpkg (community, neighbours after, land given)"
	@echo "Package:          $(DEMO_OUT)/package/good_industrial/ (方案.docx, 附件1 .docx/.xlsx, 现状图/布局图 .pdf/.png, report, tables, maps, community.gpkg)"
	@echo "Maps (open in any browser; they need no network):"
	@for f in $(DEMO_OUT)/maps/*.html; do echo "  $$f"; done
	@echo "Open the GeoPackages in QGIS, or run: $(BIN)/sijie --help"
	@echo "API: $(BIN)/sijie serve, then http://127.0.0.1:8000/ (maps at /proposals/{id}/versions/{v}/map?kind=validation, public briefing at /public/map)"

# the checkers first, each failing the target on its first finding; then the tests (pytest's
# exit code 5, "no tests collected", fails it too), on TEST_PROCESSES processes (pytest-xdist),
# each test file kept whole on one of them so that its module fixtures are made once
TEST_PROCESSES ?= 2
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile

# every benchmark against its baseline, then one table of the figures in benchmarks/RESULTS.md;
# fails if any benchmark found a wrong answer or missed its target (not part of `make test`).
# The code is compiled to bytecode first, as a package installed with pip is: a process started
# with PYTHONDONTWRITEBYTECODE set otherwise compiles every module of the editable install anew
BENCHMARKS := validate facility grids memory audit audit_dask live_validation dashboard api
bench: install $(VENV)/.bench-installed
	@rm -rf benchmarks/results && mkdir -p benchmarks/results
	@$(BIN)/python -m compileall -q geo api maps boundary_data benchmarks > /dev/null
	@failed=0; for b in $(BENCHMARKS); do \
	  echo "== benchmarks/$$b.py"; \
	  $(BIN)/python -m benchmarks.$$b 2>&1 | tee benchmarks/results/$$b.log; \
	  rc=$${PIPESTATUS[0]}; echo "$$b $$rc" >> benchmarks/results/status.txt; \
	  [ $$rc = 0 ] || failed=1; done; \
	$(BIN)/python -m benchmarks.report; exit $$failed

$(VENV)/.bench-installed: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

# the OpenAPI document fuzzed with many generated requests per operation on both stores
# (make test runs the same test with a few)
FUZZ_EXAMPLES ?= 200
fuzz: install
	SIJIE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/api/test_api_schema_fuzz.py

# new message ids get an empty translation in each .po to fill in; unused ones are dropped
messages: install
	$(BIN)/python -m geo.i18n.catalogue update

install: system $(STAMP)

# Debian packages: install only what is missing, after refreshing the package lists once.
system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) out .pytest_cache
