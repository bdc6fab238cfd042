"""deploy/z2jh/config.yaml: what can be checked without a Kubernetes cluster.

The Helm values parse; the hub's extra configuration runs, gives trainers and trainees the same
settings as deploy/jupyterhub does on one machine (which tests/hub runs end to end), and gives
every person a uid of their own so that nbgrader's exchange keeps them apart.
"""

from __future__ import annotations

import types
from pathlib import Path

import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
VALUES = yaml.safe_load((ROOT / "deploy" / "z2jh" / "config.yaml").read_text(encoding="utf-8"))


def _run_extra_config() -> Config:
    c = Config()
    exec(compile(VALUES["hub"]["extraConfig"]["alongside"], "extraConfig", "exec"), {"c": c})
    return c


def _spawner(name: str, groups: list[str]):
    user = types.SimpleNamespace(name=name, groups=[types.SimpleNamespace(name=g) for g in groups])
    return types.SimpleNamespace(user=user, environment={}, lifecycle_hooks={}, volumes=[{"name": "home"}],
                                 volume_mounts=[{"name": "home", "mountPath": "/home/jovyan"}],
                                 cmd=["jupyterhub-singleuser"])


def test_groups_are_the_ones_nbgraders_auth_plugin_reads():
    groups = _run_extra_config().JupyterHub.load_groups
    assert set(groups) == {"formgrade-alongside", "nbgrader-alongside"}
    allowed = set(VALUES["hub"]["config"]["Authenticator"]["allowed_users"])
    assert {u for g in groups.values() for u in g["users"]} == allowed


def test_trainers_get_the_formgrader_and_trainees_do_not():
    c = _run_extra_config()
    trainer, trainee = _spawner("trainer1", ["formgrade-alongside"]), _spawner("t001", ["nbgrader-alongside"])
    c.KubeSpawner.pre_spawn_hook(trainer)
    c.KubeSpawner.pre_spawn_hook(trainee)
    image_root = Path("/srv/alongside")
    for spawner in (trainer, trainee):
        for folder in spawner.environment["JUPYTER_CONFIG_PATH"].split(":"):
            assert (ROOT / Path(folder).relative_to(image_root)).is_dir(), folder
    assert "jupyter-trainee" not in trainer.environment["JUPYTER_CONFIG_PATH"]
    assert trainee.environment["JUPYTER_CONFIG_PATH"].split(":")[0].endswith("jupyter-trainee")
    assert "ALONGSIDE_COURSE_DIR" in trainer.environment and "ALONGSIDE_COURSE_DIR" not in trainee.environment
    assert "postStart" in trainer.lifecycle_hooks and not trainee.lifecycle_hooks


def test_every_person_runs_as_their_own_uid():
    c = _run_extra_config()
    people = [u for g in c.JupyterHub.load_groups.values() for u in g["users"]]
    uids = [c.KubeSpawner.uid(_spawner(name, [])) for name in people]
    assert len(set(uids)) == len(people) and min(uids) >= 20000  # never the image's shared uid 1000


def test_servers_mount_the_exchange_where_nbgrader_looks_for_it():
    single = VALUES["singleuser"]
    mounts = {m["name"]: m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert single["extraEnv"]["ALONGSIDE_EXCHANGE"] == mounts["nbgrader-exchange"]
    assert single["storage"]["extraVolumes"][0]["persistentVolumeClaim"]["claimName"] == "nbgrader-exchange"


def test_server_tokens_can_read_groups_as_on_one_machine():
    one_machine = (ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text(encoding="utf-8")
    for scope in VALUES["hub"]["config"]["Spawner"]["server_token_scopes"]:
        assert f'"{scope}"' in one_machine


def test_trainers_get_the_gradebook_from_a_secret_and_trainees_do_not():
    c = _run_extra_config()
    trainer, trainee = _spawner("trainer1", ["formgrade-alongside"]), _spawner("t001", ["nbgrader-alongside"])
    c.KubeSpawner.pre_spawn_hook(trainer)
    c.KubeSpawner.pre_spawn_hook(trainee)
    url = trainer.environment["ALONGSIDE_GRADEBOOK_URL"]
    assert url == {"valueFrom": {"secretKeyRef": {"name": "alongside-gradebook", "key": "url"}}}
    assert "ALONGSIDE_GRADEBOOK_URL" not in trainee.environment  # no trainee can reach the marks
    text = (ROOT / "deploy" / "z2jh" / "config.yaml").read_text(encoding="utf-8")
    assert "postgresql://" not in text and "PGPASSWORD" not in text  # no database password in the values


def test_trainers_share_one_course_folder_and_trainees_never_mount_it():
    c = _run_extra_config()
    trainers = [_spawner(name, ["formgrade-alongside"]) for name in ("trainer1", "trainer2")]
    trainee = _spawner("t001", ["nbgrader-alongside"])
    for spawner in (*trainers, trainee):
        c.KubeSpawner.pre_spawn_hook(spawner)
    for trainer in trainers:
        mount = {m["name"]: m["mountPath"] for m in trainer.volume_mounts}["alongside-course"]
        claim = {v["name"]: v for v in trainer.volumes}["alongside-course"]["persistentVolumeClaim"]["claimName"]
        assert trainer.environment["ALONGSIDE_COURSE_DIR"] == mount and claim == "alongside-course"
        assert trainer.environment["ALONGSIDE_KEYS"].startswith(mount + "/")
        assert {"name": "home"} in trainer.volumes  # the home volume stays
        assert "umask 0002" in " ".join(trainer.cmd) and "jupyterhub-singleuser" in " ".join(trainer.cmd)
        assert mount in " ".join(trainer.lifecycle_hooks["postStart"]["exec"]["command"])
    assert [v["name"] for v in trainee.volumes] == ["home"] and trainee.cmd == ["jupyterhub-singleuser"]
    readme = (ROOT / "deploy" / "z2jh" / "README.md").read_text(encoding="utf-8")
    assert "alongside-course" in readme and "ReadWriteMany" in readme
