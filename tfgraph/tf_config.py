"""The cluster and this process's task from `TF_CONFIG`, the variable cluster managers set for each task.

Kubeflow's TFJob, Vertex AI and SageMaker start every task of a cluster with the same
program and tell each one who it is through the environment variable `TF_CONFIG`, a
JSON object such as::

    {"cluster": {"chief": ["job-chief-0:2222"], "worker": ["job-worker-0:2222"],
                 "ps": ["job-ps-0:2222"]},
     "task": {"type": "worker", "index": 0}}

The distributed lesson knows the jobs of TensorFlow 1's official example, `ps` and
`worker`, with worker 0 as the chief. A `chief` (or the older name `master`) task of
`TF_CONFIG` is therefore worker 0 and the `worker` tasks follow it: `worker` index 0
above is the lesson's worker 1. This module imports no TensorFlow.
"""
import json
import os
from typing import NamedTuple

from tfgraph.errors import TfgraphError

#: The environment variable cluster managers set.
VARIABLE = "TF_CONFIG"
#: TF_CONFIG's names for the chief: worker 0 of the lesson.
CHIEF_TYPES = ("chief", "master")


class Task(NamedTuple):
    """One task of a cluster, in the flags of the official example."""
    ps_hosts: list
    worker_hosts: list
    job_name: str
    task_index: int


def given(environ=None):
    """Whether `TF_CONFIG` is set to something (the distributed lesson then runs as the task it names)."""
    return bool((os.environ if environ is None else environ).get(VARIABLE, "").strip())


def _refuse(problem):
    """A TfgraphError: `problem`, then what TF_CONFIG must look like."""
    return TfgraphError(
        f"{VARIABLE} {problem}. It must be a JSON object with \"cluster\" (lists of host:port for \"ps\" "
        "and for \"worker\" and/or \"chief\") and \"task\" (this process's \"type\", one of ps, worker, chief, "
        "and its \"index\"), as Kubeflow's TFJob sets it. Fix it, or unset it and give --job-name, "
        "--task-index, --ps-hosts and --worker-hosts instead.")


def _hosts(cluster, job):
    """The list of `host:port` of `job` in TF_CONFIG's cluster, checked to be a list of strings."""
    hosts = cluster.get(job, [])
    if not isinstance(hosts, list) or not all(isinstance(host, str) and host.strip() for host in hosts):
        raise _refuse(f"has cluster.{job} = {json.dumps(hosts)[:200]}, which is not a list of host:port strings")
    return [host.strip() for host in hosts]


def read(environ=None):
    """The `Task` that `TF_CONFIG` names (chief = worker 0), or a TfgraphError saying what is wrong with it."""
    text = (os.environ if environ is None else environ).get(VARIABLE, "")
    try:
        config = json.loads(text)
    except ValueError as error:
        raise _refuse(f"is not JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict) \
            or not isinstance(config.get("task"), dict):
        raise _refuse("has no \"cluster\" object or no \"task\" object")
    cluster, task = config["cluster"], config["task"]
    unknown = sorted(set(cluster) - {"ps", "worker", *CHIEF_TYPES})
    if unknown:
        raise _refuse(f"has the job(s) {', '.join(unknown)}, which the lesson does not run (an evaluator "
                      "would need its own program)")
    chiefs = [host for job in CHIEF_TYPES for host in _hosts(cluster, job)]
    if len(chiefs) > 1:
        raise _refuse(f"names {len(chiefs)} chief tasks ({', '.join(chiefs)}); a cluster has one chief")
    ps_hosts, worker_hosts = _hosts(cluster, "ps"), chiefs + _hosts(cluster, "worker")
    kind, index = task.get("type"), task.get("index", 0)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise _refuse(f"has task.index = {json.dumps(index)}, which is not a task number (0, 1, ...)")
    if kind in CHIEF_TYPES:
        job_name, task_index, listed = "worker", index, len(chiefs)
    elif kind == "worker":
        job_name, task_index, listed = "worker", index + len(chiefs), len(worker_hosts) - len(chiefs)
    elif kind == "ps":
        job_name, task_index, listed = "ps", index, len(ps_hosts)
    else:
        raise _refuse(f"has task.type = {json.dumps(kind)}; the lesson runs ps, worker and chief tasks")
    if index >= listed:
        raise _refuse(f"names task {kind} {index}, but its cluster lists {listed} {kind} task(s)")
    return Task(ps_hosts, worker_hosts, job_name, task_index)
