#!/usr/bin/env bash
# Write an AWS organisation export for `nhi scan --connector aws --from-file DIR`:
#   DIR/organization.json                     the organisation (roots, OUs, accounts, SCPs and RCPs)
#   DIR/<account id>/authorization-details.json, credential-report.csv   per ACTIVE account
# Run it with the AWS CLI and jq, as the management account or a delegated administrator.
#   usage: aws-organization-export.sh [DIR] [MEMBER_ROLE]     (defaults: org-export, OrganizationAccountAccessRole)
# Set SKIP_ACCOUNTS=1 to write organization.json only. Set EXTERNAL_ID when the member role requires one.
set -euo pipefail
out=${1:-org-export}
role=${2:-OrganizationAccountAccessRole}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/ous.jsonl"
: >"$tmp/parents.jsonl"
: >"$tmp/policies.jsonl"

aws organizations describe-organization --output json >"$tmp/org.json"
aws organizations list-roots --output json >"$tmp/roots.json"

# the tree, from each root: the OUs under each parent (with ParentId), and which parent each account is under
walk() {
  local parent=$1 ou
  aws organizations list-organizational-units-for-parent --parent-id "$parent" --output json |
    jq -c --arg p "$parent" '.OrganizationalUnits[] + {ParentId: $p}' >>"$tmp/ous.jsonl"
  aws organizations list-accounts-for-parent --parent-id "$parent" --output json |
    jq -c --arg p "$parent" '.Accounts[] | {Id, ParentId: $p}' >>"$tmp/parents.jsonl"
  for ou in $(jq -r --arg p "$parent" 'select(.ParentId == $p) | .Id' "$tmp/ous.jsonl"); do walk "$ou"; done
}
for root in $(jq -r '.Roots[].Id' "$tmp/roots.json"); do walk "$root"; done
aws organizations list-accounts --output json >"$tmp/accounts.json"

# SCPs and RCPs with their documents and targets (a policy type that is not enabled is skipped)
for type in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
  if ! aws organizations list-policies --filter "$type" --output json >"$tmp/list.json" 2>"$tmp/err"; then
    echo "skipping $type: $(tail -n 1 "$tmp/err")" >&2
    continue
  fi
  for id in $(jq -r '.Policies[].Id' "$tmp/list.json"); do
    aws organizations describe-policy --policy-id "$id" --output json >"$tmp/policy.json"
    aws organizations list-targets-for-policy --policy-id "$id" --output json |
      jq -c --slurpfile d "$tmp/policy.json" '{PolicySummary: $d[0].Policy.PolicySummary, Content: $d[0].Policy.Content, Targets: .Targets}' >>"$tmp/policies.jsonl"
  done
done

jq -n --slurpfile org "$tmp/org.json" --slurpfile roots "$tmp/roots.json" --slurpfile accounts "$tmp/accounts.json" \
  --slurpfile ous "$tmp/ous.jsonl" --slurpfile parents "$tmp/parents.jsonl" --slurpfile policies "$tmp/policies.jsonl" '
  (reduce $parents[] as $a ({}; . + {($a.Id): $a.ParentId})) as $parentOf
  | { Organization: $org[0].Organization,
      Roots: $roots[0].Roots,
      OrganizationalUnits: $ous,
      Accounts: [$accounts[0].Accounts[] | . + {ParentId: $parentOf[.Id]}],
      Policies: $policies }' >"$out/organization.json"
echo "wrote $out/organization.json" >&2
[ "${SKIP_ACCOUNTS:-}" = 1 ] && exit 0

# one folder per ACTIVE account: the caller's own account with its own credentials, the others through the member role
self=$(aws sts get-caller-identity --query Account --output text)
export_account() {
  local dir=$1
  aws iam get-account-authorization-details --output json >"$dir/authorization-details.json"
  until [ "$(aws iam generate-credential-report --query State --output text)" = COMPLETE ]; do sleep 2; done
  aws iam get-credential-report --query Content --output text | base64 -d >"$dir/credential-report.csv"
}
for account in $(jq -r '.Accounts[] | select((.State // .Status) == "ACTIVE") | .Id' "$out/organization.json"); do
  mkdir -p "$out/$account"
  if [ "$account" = "$self" ]; then
    export_account "$out/$account"
  elif creds=$(aws sts assume-role --role-arn "arn:aws:iam::$account:role/$role" --role-session-name nhi-drift \
    ${EXTERNAL_ID:+--external-id "$EXTERNAL_ID"} --query Credentials --output json); then
    (
      AWS_ACCESS_KEY_ID=$(jq -r .AccessKeyId <<<"$creds")
      AWS_SECRET_ACCESS_KEY=$(jq -r .SecretAccessKey <<<"$creds")
      AWS_SESSION_TOKEN=$(jq -r .SessionToken <<<"$creds")
      export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
      unset AWS_PROFILE
      export_account "$out/$account"
    )
  else
    echo "account $account: cannot assume $role; its folder stays empty (nhi notes it)" >&2
  fi
  echo "wrote $out/$account" >&2
done
