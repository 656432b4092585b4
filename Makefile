# jianpai — the two commands of the README, plus developer helpers.
SCENARIO ?= scenarios/wuxi-2021.toml
OUT ?= out/wuxi-2021

.PHONY: wuxi roundtrip test fuzz setup lint seeds bench fmt report revise stagger

## Build the Wuxi 2021 emergency reduction list from the bundled seed data.
wuxi: setup
	cargo run --quiet -- validate seeds/wuxi-2021 --quiet
	cargo run --quiet -- plan $(SCENARIO) --out $(OUT)
	cargo run --quiet -- check $(OUT) --scenario $(SCENARIO)

## Reports of the Wuxi list (after `make wuxi`): list workbook, 一厂一策 workbook, HTML page.
report: setup
	cargo run --quiet -- report $(OUT) --out $(OUT)/report

## The Wuxi list read back from its workbook: check, diff (0 changes), revise (after `make wuxi`).
roundtrip:
	cargo build --quiet
	bash scripts/wuxi-roundtrip.sh

## Run the whole test suite (property tests on a fixed seed: CI never passes or fails by luck).
test: setup
	PROPTEST_RNG_SEED=$${PROPTEST_RNG_SEED:-20211105} cargo test

## Explore the table readers with fresh random seeds and 16x the cases (`make test` uses a fixed seed).
fuzz: setup
	JIANPAI_FUZZ=1 PROPTEST_CASES=4096 cargo test --test fuzz_readers

## Install missing system packages (cmake, libclang-dev, a C++ compiler).
setup:
	@bash scripts/setup-system.sh

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

fmt:
	cargo fmt

## Regenerate the bundled synthetic city (byte-identical; a test checks it).
seeds:
	cargo run --quiet -- seeds generate --enterprises 4000 --seed 2021 --out out/seeds/wuxi-2021
	cp out/seeds/wuxi-2021/*.csv seeds/wuxi-2021/

bench:
	cargo bench --bench plan

## September revision of the 2021 list on the evolved 2022 city (needs `make wuxi` first).
revise: wuxi
	cargo run --quiet -- revise scenarios/wuxi-2022-revision.toml --out out/wuxi-2022-revision
	cargo run --quiet -- check out/wuxi-2022-revision --scenario scenarios/wuxi-2022-revision.toml
	cargo run --quiet -- diff out/wuxi-2021 out/wuxi-2022-revision --format json > out/wuxi-2022-revision/diff-cli.json

## Regenerate the evolved 2022 city (byte-identical; a test checks it).
seeds-2022:
	cargo run --quiet -- seeds evolve seeds/wuxi-2021 --seed 2022 --out out/seeds/wuxi-2022
	cp out/seeds/wuxi-2022/* seeds/wuxi-2022/

## Build the Wuxi 2021–2022 staggered-production and maintenance calendar and check it.
STAGGER ?= scenarios/wuxi-2021-stagger.toml
STAGGER_OUT ?= out/wuxi-2021-stagger
stagger: setup
	cargo run --release --quiet -- stagger $(STAGGER) --out $(STAGGER_OUT)
	cargo run --release --quiet -- check $(STAGGER_OUT) --scenario $(STAGGER)
