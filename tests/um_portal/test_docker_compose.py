"""docker-compose.yml cannot run here (no Docker engine), so a test reads it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_on_one_image():
    services = _compose()["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    images = {services[name]["image"] for name in ("web", "worker", "beat")}
    assert images == {"um-portal:latest"}
    assert all(services[name]["build"] == "." for name in ("web", "worker", "beat"))
    assert (ROOT / "Dockerfile").exists()


def test_compose_commands_start_gunicorn_worker_and_beat():
    services = _compose()["services"]
    assert "gunicorn -c gunicorn.conf.py" in " ".join(services["web"]["command"])
    assert "migrate" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "um_portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "um_portal", "beat"]
    assert "-B" not in services["worker"]["command"], "beat runs once, in its own service"


def test_compose_wires_database_and_broker_and_keeps_secrets_out():
    services = _compose()["services"]
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY")
    assert "POSTGRES_PASSWORD:?" in services["db"]["environment"]["POSTGRES_PASSWORD"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_health_checks_use_readiness_and_static_files_need_no_extra_server():
    services = _compose()["services"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["beat"]["healthcheck"]["test"][-3:] == ["readiness", "--only", "beat"]
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile and '"gunicorn", "-c", "gunicorn.conf.py"' in dockerfile
    assert not any("nginx" in str(service.get("image", "")) for service in services.values())


def test_compose_runs_migrations_as_the_owner_and_the_portal_as_the_app_role():
    # Issue 12, item 5: the app role may only INSERT and SELECT the audit tables.
    services = _compose()["services"]
    command = " ".join(services["web"]["command"])
    assert command.index("db_roles") < command.index("migrate") < command.rindex("db_roles") < command.index("gunicorn")
    assert 'DATABASE_URL="$$DATABASE_OWNER_URL" python manage.py migrate' in command
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://um_app:")
    for name in ("worker", "beat"):
        assert "DATABASE_ADMIN_URL" not in services[name]["environment"]
        assert "DATABASE_OWNER_URL" not in services[name]["environment"]
