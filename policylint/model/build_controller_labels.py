"""Labels the controllers put on the pods they create, beside those of the pod template.

Values the input cannot know (a hash, a uid, a generation) are CONTROLLER_SET: a selector that
tests the key with Exists or DoesNotExist is answered right; one that names a value never
matches, since that value comes from the running cluster. Sources, kubernetes/kubernetes:
- Deployment: pod-template-hash (pkg/controller/deployment/sync.go, apps.DefaultDeploymentUniqueLabelKey)
- StatefulSet: controller-revision-hash, statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index
  (pkg/controller/statefulset/stateful_set_utils.go: initIdentity, updateIdentity; pod-index since 1.28)
- DaemonSet: controller-revision-hash, pod-template-generation (pkg/controller/daemon/util/daemonset_util.go)
- Job: batch.kubernetes.io/job-name, job-name, batch.kubernetes.io/controller-uid, controller-uid
  (pkg/controller/job/job_controller.go; staging/src/k8s.io/api/batch/v1/types.go JobNameLabel)
"""

from __future__ import annotations

CONTROLLER_SET = "(set by the controller)"  # not a valid label value: no written selector value equals it
POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"
PER_REPLICA = (POD_NAME, POD_INDEX)

_UNKNOWN: dict[str, tuple[str, ...]] = {
    "Deployment": ("pod-template-hash",),
    "StatefulSet": ("controller-revision-hash", POD_NAME, POD_INDEX),
    "DaemonSet": ("controller-revision-hash", "pod-template-generation"),
    "Job": ("batch.kubernetes.io/controller-uid", "controller-uid"),
    "CronJob": ("batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-name",
                "job-name"),
}  # fmt: skip
# Every key whose value the controller writes at run time (job-name is the Job's own name, but a
# CronJob's Jobs get a name with a scheduled-time suffix).
CONTROLLER_KEYS = frozenset(k for keys in _UNKNOWN.values() for k in keys) | frozenset(PER_REPLICA)


def with_controller_labels(kind: str, name: str, labels: dict[str, str]) -> dict[str, str]:
    """The labels of the pods `kind` creates from a template labelled `labels`."""
    out = dict(labels)
    for key in _UNKNOWN.get(kind, ()):
        out.setdefault(key, CONTROLLER_SET)  # a written value (a dumped ReplicaSet's hash) stands
    if kind == "Job":
        out["batch.kubernetes.io/job-name"] = out["job-name"] = name
    return out


def replica(labels: dict[str, str], name: str, ordinal: int) -> tuple[str, dict[str, str]]:
    """The name and labels of replica `ordinal` of StatefulSet `name`."""
    pod = f"{name}-{ordinal}"
    return pod, {**labels, POD_NAME: pod, POD_INDEX: str(ordinal)}
