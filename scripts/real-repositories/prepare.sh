#!/bin/bash
# Check out the repositories of docs/real-repositories.md into $1 (default /tmp/sweep) and build the
# inputs that need preparing. MIRRORS holds one bare git dir per repository, named owner+name/repo
# (as the session's fetch tool leaves them); set it, or clone the repositories yourself at the
# commits listed in the doc and adapt the paths.
set -euo pipefail
W=${1:-/tmp/sweep}; MIRRORS=${MIRRORS:-/work/.mirror}; R=$W/repos; T=$W/targets
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$R" "$T"
get() {  # repo [paths...]: `git archive` of HEAD (only the paths given: some large files are absent)
  local n=$1; shift; mkdir -p "$R/$n"
  git --git-dir="$MIRRORS/$n/repo" archive HEAD "$@" | tar -x -C "$R/$n"
}
get GoogleCloudPlatform+microservices-demo kubernetes-manifests kustomize helm-chart release
get argoproj+argo-cd manifests
for n in prometheus-operator+kube-prometheus ahmetb+kubernetes-network-policy-recipes cert-manager+cert-manager \
         cilium+star-wars-demo fluxcd+flux2 kubeflow+manifests microservices-demo+microservices-demo \
         kubernetes+ingress-nginx; do get $n; done
# Online Boutique with its network-policies component enabled (the default root leaves it commented out).
rm -rf "$T/boutique-netpol"; cp -r "$R/GoogleCloudPlatform+microservices-demo/kustomize" "$T/boutique-netpol"
rm -rf "$T/boutique-netpol/tests"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- base\ncomponents:\n- components/network-policies\n' \
  > "$T/boutique-netpol/kustomization.yaml"
# flux2's policies in flux-system (its controllers are remote URLs that need network access).
mkdir -p "$T/flux2-policies"
cp "$R"/fluxcd+flux2/manifests/policies/allow-*.yaml "$R/fluxcd+flux2/manifests/install/namespace.yaml" "$T/flux2-policies/"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: flux-system\nresources:\n- namespace.yaml\n- allow-egress.yaml\n- allow-scraping.yaml\n- allow-webhooks.yaml\n' \
  > "$T/flux2-policies/kustomization.yaml"
# Kubeflow: the namespaces with their policies, then with seven applications that render offline.
K=$R/kubeflow+manifests
kubectl kustomize "$K/common/kubeflow-namespace/base" > "$T/kubeflow-namespace.yaml"
mkdir -p "$T/kubeflow-apps"; cp "$T/kubeflow-namespace.yaml" "$T/kubeflow-apps/00-namespace-policies.yaml"
for d in admission-webhook/upstream/overlays/cert-manager katib/upstream/installs/katib-with-kubeflow \
         pvcviewer-controller/upstream/base training-operator/upstream/overlays/kubeflow \
         centraldashboard/overlays/oauth2-proxy kserve/models-web-app/overlays/kubeflow profiles/upstream/overlays/kubeflow; do
  kubectl kustomize "$K/applications/$d" > "$T/kubeflow-apps/$(echo "$d" | tr / _).yaml"
done
# star-wars-demo's policy without its top-level `description` (NP002: the API server rejects it), to
# exercise the Cilium dialect on the demo's L7 rule.
mkdir -p "$T/starwars-nodesc"; cp "$R"/cilium+star-wars-demo/0[12]-*.yaml "$T/starwars-nodesc/"
sed '/^description:/d' "$R/cilium+star-wars-demo/policy/l7_policy.yaml" > "$T/starwars-nodesc/l7_policy.yaml"
# The NetworkPolicy recipes: YAML blocks and `kubectl run/create namespace/label` lines of each page.
python3 "$here/recipes.py" "$R/ahmetb+kubernetes-network-policy-recipes" "$T/recipes"
sed "s#@R@#$R#g; s#@T@#$T#g" "$here/targets.txt" > "$W/targets.txt"
for d in "$T"/recipes/*/; do echo "recipe-$(basename "$d" | cut -c1-3)|$d|" >> "$W/targets.txt"; done
