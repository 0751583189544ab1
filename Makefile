# The commands a developer needs. Each recipe is short; scripts/ holds the details.
.PHONY: run test check fix setup

PORT ?= 8000

# Install, migrate, load the Sefton demo data and serve at http://127.0.0.1:$(PORT)
run:
	scripts/setup.sh
	uv run python manage.py migrate --no-input
	uv run python manage.py load_demo --with-demo-users
	scripts/serve.sh $(PORT)

# The whole test suite (SQLite unless DATABASE_URL says otherwise)
# One test process per core (pytest-xdist); each has its own test database.
test:
	scripts/setup.sh --browser
	uv run pytest -n auto

# Lint, format and missing-migration checks, as CI runs them
check:
	uv run ruff format --check .
	uv run ruff check .
	uv run python manage.py makemigrations --check --dry-run

fix:
	uv run ruff format .
	uv run ruff check --fix .
