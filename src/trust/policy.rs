//! Certificate policy processing for certification path validation.
//!
//! Implements the policy-related steps of RFC 5280 §6.1 (§6.1.2 (a), (d)–(f); §6.1.3 (d)–(f);
//! §6.1.4 (a), (b), (h)–(j); §6.1.5 (a), (b), (g)) using the `valid_policy_graph` of RFC 9618
//! in place of the `valid_policy_tree` of RFC 5280.
//!
//! RFC 9618 §3 explains why the tree is replaced: a tree node is duplicated once per parent
//! that expects its policy, so policy mappings can make the tree grow exponentially in the
//! path length. In the graph, depth `i` holds at most one node per `valid_policy`, and a node
//! whose policy is expected by several parents gets one edge from each of them. The graph is
//! in addition capped at [`MAX_GRAPH_SIZE`] elements, so hostile certificates cost bounded
//! memory and time.
//!
//! The `qualifier_set` of the nodes is not kept: policy qualifiers are not part of the
//! output of this module (RFC 5280 §4.2.1.4, §6.1.6).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::Decode;
use x509_cert::ext::pkix::{
    CertificatePolicies, InhibitAnyPolicy, PolicyConstraints, PolicyMappings,
};
use x509_cert::TbsCertificate;

/// The special policy identifier `anyPolicy` (RFC 5280 §4.2.1.4).
pub(crate) const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

/// Upper bound on the size of the policy graph over a whole path, counted as the number of
/// nodes plus edges plus `expected_policy_set` entries ever created (an additional
/// safeguard of the kind RFC 9618 §6 describes, on top of the graph construction).
pub(crate) const MAX_GRAPH_SIZE: usize = 4096;

/// Policy-related inputs of RFC 5280 §6.1.1 (c), (e), (f) and (g).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PolicyInputs {
    /// `user-initial-policy-set` (§6.1.1 (c)). Empty, or containing `anyPolicy`, means the
    /// special value any-policy.
    pub(crate) initial_policy_set: Vec<ObjectIdentifier>,
    /// `initial-explicit-policy` (§6.1.1 (f)).
    pub(crate) initial_explicit_policy: bool,
    /// `initial-policy-mapping-inhibit` (§6.1.1 (e)).
    pub(crate) initial_policy_mapping_inhibit: bool,
    /// `initial-any-policy-inhibit` (§6.1.1 (g)).
    pub(crate) initial_any_policy_inhibit: bool,
}

impl Default for PolicyInputs {
    /// The values RFC 5280 §6.1.1 describes as the usual defaults: `{anyPolicy}`, and all
    /// three indicators false.
    fn default() -> Self {
        Self {
            initial_policy_set: vec![ANY_POLICY],
            initial_explicit_policy: false,
            initial_policy_mapping_inhibit: false,
            initial_any_policy_inhibit: false,
        }
    }
}

/// Failure of certificate policy processing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PolicyError {
    /// A policy-related extension is present but cannot be decoded or violates its syntax
    /// (RFC 5280 §4.2.1.4, §4.2.1.5, §4.2.1.11, §4.2.1.14), or the processing steps were
    /// invoked out of the order of RFC 5280 §6.1.
    Malformed(String),
    /// `explicit_policy` is 0 and the `valid_policy_graph` is NULL (RFC 5280 §6.1.3 (f),
    /// §6.1.5 (g)).
    NoValidPolicy(String),
    /// A policy mapping has `anyPolicy` as issuerDomainPolicy or subjectDomainPolicy
    /// (RFC 5280 §6.1.4 (a)).
    MappingToOrFromAnyPolicy(String),
    /// The policy graph would exceed [`MAX_GRAPH_SIZE`] (cf. RFC 9618 §6).
    Limit(String),
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(m) => write!(f, "malformed policy information: {m}"),
            Self::NoValidPolicy(m) => write!(f, "no valid certificate policy: {m}"),
            Self::MappingToOrFromAnyPolicy(m) => {
                write!(f, "policy mapping to or from anyPolicy: {m}")
            }
            Self::Limit(m) => write!(f, "policy graph limit exceeded: {m}"),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A node of the `valid_policy_graph` (RFC 9618 §4.1). The qualifier set is not retained.
#[derive(Clone, Debug)]
struct Node {
    valid_policy: ObjectIdentifier,
    expected_policy_set: BTreeSet<ObjectIdentifier>,
    /// Indices of the parent nodes in the level of depth one less.
    parents: Vec<usize>,
    /// False once the node has been deleted (pruned or removed by §6.1.4 (b)(2)).
    live: bool,
}

/// The nodes of one depth of the graph. `by_policy` indexes the live nodes; RFC 9618 §4.1
/// guarantees at most one node per `valid_policy` at each depth.
#[derive(Clone, Debug, Default)]
struct Level {
    nodes: Vec<Node>,
    by_policy: BTreeMap<ObjectIdentifier, usize>,
}

impl Level {
    fn live(&self, policy: &ObjectIdentifier) -> Option<usize> {
        self.by_policy.get(policy).copied()
    }

    fn live_nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.live)
    }

    /// Adds a node, charging its node, edges and expected policies against the budget.
    fn push(
        &mut self,
        size: &mut usize,
        valid_policy: ObjectIdentifier,
        parents: Vec<usize>,
        expected_policy_set: BTreeSet<ObjectIdentifier>,
    ) -> Result<(), PolicyError> {
        charge(
            size,
            1usize
                .saturating_add(parents.len())
                .saturating_add(expected_policy_set.len()),
        )?;
        let idx = self.nodes.len();
        self.nodes.push(Node {
            valid_policy,
            expected_policy_set,
            parents,
            live: true,
        });
        self.by_policy.insert(valid_policy, idx);
        Ok(())
    }

    fn delete(&mut self, policy: &ObjectIdentifier) {
        let removed = self.by_policy.remove(policy);
        if let Some(node) = removed.and_then(|idx| self.nodes.get_mut(idx)) {
            node.live = false;
        }
    }
}

fn charge(size: &mut usize, amount: usize) -> Result<(), PolicyError> {
    let total = size.saturating_add(amount);
    if total > MAX_GRAPH_SIZE {
        return Err(PolicyError::Limit(format!(
            "policy graph would exceed {MAX_GRAPH_SIZE} nodes, edges and expected policies"
        )));
    }
    *size = total;
    Ok(())
}

/// Deletes every node of depth less than the deepest level that has no live child, repeating
/// towards the root (RFC 5280 §6.1.3 (d)(3) and §6.1.4 (b)(2) as updated by RFC 9618 §5.3, §5.4).
/// Returns false if the root was deleted, i.e. the graph became NULL.
fn prune(graph: &mut [Level]) -> bool {
    let deepest = graph.len().saturating_sub(1);
    for depth in (0..deepest).rev() {
        let Some((upper, lower)) = graph.split_at_mut_checked(depth.saturating_add(1)) else {
            continue;
        };
        let (Some(level), Some(children)) = (upper.last_mut(), lower.first()) else {
            continue;
        };
        let mut has_child = vec![false; level.nodes.len()];
        for child in children.live_nodes() {
            for &p in &child.parents {
                if let Some(flag) = has_child.get_mut(p) {
                    *flag = true;
                }
            }
        }
        let Level { nodes, by_policy } = level;
        for (idx, node) in nodes.iter_mut().enumerate() {
            if node.live && !has_child.get(idx).copied().unwrap_or(false) {
                node.live = false;
                by_policy.remove(&node.valid_policy);
            }
        }
    }
    graph
        .first()
        .is_some_and(|root| root.live_nodes().next().is_some())
}

fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Decodes extension `T` of `tbs`; a present extension that does not decode, or that occurs
/// more than once (RFC 5280 §4.2), is malformed.
fn extension<'a, T>(tbs: &'a TbsCertificate, name: &str) -> Result<Option<T>, PolicyError>
where
    T: Decode<'a, Error = der::Error> + AssociatedOid,
{
    tbs.get_extension::<T>()
        .map(|ext| ext.map(|(_critical, value)| value))
        .map_err(|e| PolicyError::Malformed(format!("{name} extension: {e}")))
}

/// The extensions RFC 5280 §6.1.4 reads: policyMappings, policyConstraints, inhibitAnyPolicy.
type PrepareExtensions = (
    Option<PolicyMappings>,
    Option<PolicyConstraints>,
    Option<InhibitAnyPolicy>,
);

fn prepare_extensions(tbs: &TbsCertificate) -> Result<PrepareExtensions, PolicyError> {
    Ok((
        extension::<PolicyMappings>(tbs, "policyMappings")?,
        extension::<PolicyConstraints>(tbs, "policyConstraints")?,
        extension::<InhibitAnyPolicy>(tbs, "inhibitAnyPolicy")?,
    ))
}

fn check_constraints(pc: &PolicyConstraints) -> Result<(), PolicyError> {
    if pc.require_explicit_policy.is_none() && pc.inhibit_policy_mapping.is_none() {
        return Err(PolicyError::Malformed(
            "policyConstraints with neither requireExplicitPolicy nor inhibitPolicyMapping \
             (RFC 5280 §4.2.1.11)"
                .into(),
        ));
    }
    Ok(())
}

/// Policy state variables of RFC 5280 §6.1.2 for one certification path.
#[derive(Clone, Debug)]
pub(crate) struct PolicyState {
    /// Length `n` of the path.
    n: usize,
    /// `user-initial-policy-set`; `None` is any-policy.
    user_initial_policy_set: Option<BTreeSet<ObjectIdentifier>>,
    explicit_policy: usize,
    inhibit_any_policy: usize,
    policy_mapping: usize,
    /// `valid_policy_graph`, level `d` holding the nodes of depth `d`; `None` is NULL.
    graph: Option<Vec<Level>>,
    /// Number of certificates passed to `process`.
    processed: usize,
    /// Number of certificates passed to `prepare`.
    prepared: usize,
    /// Elements charged against [`MAX_GRAPH_SIZE`].
    size: usize,
    /// Set once a step failed or `finish` ran; the state then accepts no further steps.
    done: bool,
}

impl PolicyState {
    /// RFC 5280 §6.1.2 (a), (d), (e), (f) for a path of `n` certificates: the graph starts
    /// as a single `anyPolicy` node of depth 0 expecting `{anyPolicy}` (RFC 9618 §5.2), and
    /// each counter is 0 if its initial indicator is set, otherwise `n + 1`.
    pub(crate) fn new(n: usize, inputs: &PolicyInputs) -> Self {
        let counter = |inhibit: bool| if inhibit { 0 } else { n.saturating_add(1) };
        let user_initial_policy_set = if inputs.initial_policy_set.is_empty()
            || inputs.initial_policy_set.contains(&ANY_POLICY)
        {
            None
        } else {
            Some(inputs.initial_policy_set.iter().copied().collect())
        };
        let mut root = Level::default();
        root.nodes.push(Node {
            valid_policy: ANY_POLICY,
            expected_policy_set: BTreeSet::from([ANY_POLICY]),
            parents: Vec::new(),
            live: true,
        });
        root.by_policy.insert(ANY_POLICY, 0);
        Self {
            n,
            user_initial_policy_set,
            explicit_policy: counter(inputs.initial_explicit_policy),
            inhibit_any_policy: counter(inputs.initial_any_policy_inhibit),
            policy_mapping: counter(inputs.initial_policy_mapping_inhibit),
            graph: Some(vec![root]),
            processed: 0,
            prepared: 0,
            size: 2,
            done: false,
        }
    }

    /// RFC 5280 §6.1.3 (d), (e), (f) for certificate `i` (1-based) of the path, with the
    /// graph operations of RFC 9618 §5.3. `self_issued`: the certificate's subject and issuer
    /// names match (RFC 5280 §6.1).
    pub(crate) fn process(
        &mut self,
        tbs: &TbsCertificate,
        i: usize,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        let policies = extension::<CertificatePolicies>(tbs, "certificatePolicies");
        self.done |= policies.is_err();
        self.process_policies(policies?.as_ref(), i, self_issued)
    }

    /// RFC 5280 §6.1.4 (a), (b), (h), (i), (j) to prepare for certificate `i + 1`, where `i`
    /// is the certificate last passed to [`PolicyState::process`] and `i < n`; (b) operates on
    /// the graph as in RFC 9618 §5.4.
    pub(crate) fn prepare(
        &mut self,
        tbs: &TbsCertificate,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        let decoded = prepare_extensions(tbs);
        self.done |= decoded.is_err();
        let (mappings, constraints, inhibit) = decoded?;
        self.prepare_with(
            mappings.as_ref(),
            constraints.as_ref(),
            inhibit.as_ref(),
            self_issued,
        )
    }

    /// RFC 5280 §6.1.5 (a), (b), (g) for the end-entity certificate `n`, computing the
    /// intersection on the graph as in RFC 9618 §5.5.
    ///
    /// Returns the user-constrained policy set (empty: no policy; containing `anyPolicy`:
    /// any policy) when `explicit_policy` is greater than 0 or the intersection is not NULL;
    /// otherwise [`PolicyError::NoValidPolicy`].
    pub(crate) fn finish(
        &mut self,
        tbs: &TbsCertificate,
    ) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        let constraints = extension::<PolicyConstraints>(tbs, "policyConstraints");
        self.done |= constraints.is_err();
        self.finish_with(constraints?.as_ref())
    }

    fn check_open(&self) -> Result<(), PolicyError> {
        if self.done {
            return Err(PolicyError::Malformed(
                "policy processing already finished or failed".into(),
            ));
        }
        Ok(())
    }

    /// RFC 5280 §6.1.3 (d), (e), (f) on an already decoded certificatePolicies extension.
    fn process_policies(
        &mut self,
        policies: Option<&CertificatePolicies>,
        i: usize,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        let result = self.process_inner(policies, i, self_issued);
        self.done |= result.is_err();
        result
    }

    /// RFC 5280 §6.1.4 (a), (b), (h), (i), (j) on already decoded extensions.
    fn prepare_with(
        &mut self,
        mappings: Option<&PolicyMappings>,
        constraints: Option<&PolicyConstraints>,
        inhibit_any_policy: Option<&InhibitAnyPolicy>,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        let result = self.prepare_inner(mappings, constraints, inhibit_any_policy, self_issued);
        self.done |= result.is_err();
        result
    }

    /// RFC 5280 §6.1.5 (a), (b), (g) on an already decoded policyConstraints extension.
    fn finish_with(
        &mut self,
        constraints: Option<&PolicyConstraints>,
    ) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        let result = self.finish_inner(constraints);
        self.done = true;
        result
    }

    fn process_inner(
        &mut self,
        policies: Option<&CertificatePolicies>,
        i: usize,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        self.check_open()?;
        if i == 0
            || i > self.n
            || i != self.processed.saturating_add(1)
            || self.prepared != self.processed
        {
            return Err(PolicyError::Malformed(format!(
                "certificate {i} processed out of sequence (path length {})",
                self.n
            )));
        }
        self.processed = i;

        // RFC 5280 §4.2.1.4: SIZE (1..MAX), each policy OID at most once.
        let mut any_policy_asserted = false;
        if let Some(cp) = policies {
            if cp.0.is_empty() {
                return Err(PolicyError::Malformed(
                    "empty certificatePolicies (RFC 5280 §4.2.1.4)".into(),
                ));
            }
            let mut seen = BTreeSet::new();
            for info in &cp.0 {
                if !seen.insert(info.policy_identifier) {
                    return Err(PolicyError::Malformed(format!(
                        "policy {} appears more than once in certificatePolicies \
                         (RFC 5280 §4.2.1.4)",
                        info.policy_identifier
                    )));
                }
                any_policy_asserted |= info.policy_identifier == ANY_POLICY;
            }
        }

        match (policies, self.graph.as_mut()) {
            // (e): no certificatePolicies extension.
            (None, _) => self.graph = None,
            // (d) is skipped when the graph is already NULL.
            (Some(_), None) => {}
            (Some(cp), Some(graph)) => {
                let Some(prev) = graph.last() else {
                    return Err(PolicyError::Malformed("empty policy graph".into()));
                };
                // Parents at depth i-1 by the policies they expect.
                let mut expecting: BTreeMap<ObjectIdentifier, Vec<usize>> = BTreeMap::new();
                for (idx, node) in prev.nodes.iter().enumerate().filter(|(_, n)| n.live) {
                    for p in &node.expected_policy_set {
                        expecting.entry(*p).or_default().push(idx);
                    }
                }
                let any_parent = prev.live(&ANY_POLICY);
                let mut level = Level::default();

                // (d)(1): each policy other than anyPolicy.
                for info in &cp.0 {
                    let p = info.policy_identifier;
                    if p == ANY_POLICY {
                        continue;
                    }
                    let parents = match (expecting.get(&p), any_parent) {
                        // (d)(1)(i): one node, an edge from every parent expecting P.
                        (Some(parents), _) => parents.clone(),
                        // (d)(1)(ii): no parent expects P; child of the anyPolicy node.
                        (None, Some(any)) => vec![any],
                        (None, None) => continue,
                    };
                    level.push(&mut self.size, p, parents, BTreeSet::from([p]))?;
                }

                // (d)(2): anyPolicy asserted, and inhibit_anyPolicy > 0 or (i < n and the
                // certificate is self-issued): one node per expected policy (anyPolicy
                // included) not yet the valid_policy of a node at depth i.
                if any_policy_asserted
                    && (self.inhibit_any_policy > 0 || (i < self.n && self_issued))
                {
                    for (p, parents) in &expecting {
                        if level.live(p).is_none() {
                            level.push(
                                &mut self.size,
                                *p,
                                parents.clone(),
                                BTreeSet::from([*p]),
                            )?;
                        }
                    }
                }

                graph.push(level);
                // (d)(3): prune nodes of depth i-1 or less without children.
                if !prune(graph) {
                    self.graph = None;
                }
            }
        }

        // (f)
        if self.explicit_policy == 0 && self.graph.is_none() {
            return Err(PolicyError::NoValidPolicy(format!(
                "valid_policy_graph is NULL after certificate {i} and explicit_policy is 0"
            )));
        }
        Ok(())
    }

    fn prepare_inner(
        &mut self,
        mappings: Option<&PolicyMappings>,
        constraints: Option<&PolicyConstraints>,
        inhibit_any_policy: Option<&InhibitAnyPolicy>,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        self.check_open()?;
        if self.processed == 0
            || self.processed >= self.n
            || self.prepared.saturating_add(1) != self.processed
        {
            return Err(PolicyError::Malformed(format!(
                "preparation for certificate {} out of sequence (path length {})",
                self.processed.saturating_add(1),
                self.n
            )));
        }
        self.prepared = self.processed;

        if let Some(pm) = mappings {
            if pm.0.is_empty() {
                return Err(PolicyError::Malformed(
                    "empty policyMappings (RFC 5280 §4.2.1.5)".into(),
                ));
            }
            // (a), and the mapping relation grouped by issuerDomainPolicy.
            let mut map: BTreeMap<ObjectIdentifier, BTreeSet<ObjectIdentifier>> = BTreeMap::new();
            for m in &pm.0 {
                if m.issuer_domain_policy == ANY_POLICY || m.subject_domain_policy == ANY_POLICY {
                    return Err(PolicyError::MappingToOrFromAnyPolicy(format!(
                        "{} -> {}",
                        m.issuer_domain_policy, m.subject_domain_policy
                    )));
                }
                map.entry(m.issuer_domain_policy)
                    .or_default()
                    .insert(m.subject_domain_policy);
            }

            // (b)
            if let Some(graph) = self.graph.as_mut() {
                let Some(level) = graph.last_mut() else {
                    return Err(PolicyError::Malformed("empty policy graph".into()));
                };
                if self.policy_mapping > 0 {
                    // (b)(1)
                    for (id_p, subjects) in &map {
                        if let Some(idx) = level.live(id_p) {
                            charge(&mut self.size, subjects.len())?;
                            if let Some(node) = level.nodes.get_mut(idx) {
                                node.expected_policy_set = subjects.clone();
                            }
                        } else if let Some(any_idx) = level.live(&ANY_POLICY) {
                            let parents = level
                                .nodes
                                .get(any_idx)
                                .map(|n| n.parents.clone())
                                .unwrap_or_default();
                            level.push(&mut self.size, *id_p, parents, subjects.clone())?;
                        }
                    }
                } else {
                    // (b)(2): delete the mapped nodes, then prune.
                    for id_p in map.keys() {
                        level.delete(id_p);
                    }
                    if !prune(graph) {
                        self.graph = None;
                    }
                }
            }
        }

        // (h)
        if !self_issued {
            self.explicit_policy = self.explicit_policy.saturating_sub(1);
            self.policy_mapping = self.policy_mapping.saturating_sub(1);
            self.inhibit_any_policy = self.inhibit_any_policy.saturating_sub(1);
        }
        // (i)
        if let Some(pc) = constraints {
            check_constraints(pc)?;
            if let Some(r) = pc.require_explicit_policy {
                self.explicit_policy = self.explicit_policy.min(to_usize(r));
            }
            if let Some(m) = pc.inhibit_policy_mapping {
                self.policy_mapping = self.policy_mapping.min(to_usize(m));
            }
        }
        // (j)
        if let Some(iap) = inhibit_any_policy {
            self.inhibit_any_policy = self.inhibit_any_policy.min(to_usize(iap.0));
        }
        Ok(())
    }

    fn finish_inner(
        &mut self,
        constraints: Option<&PolicyConstraints>,
    ) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        self.check_open()?;
        if self.n == 0 || self.processed != self.n || self.prepared.saturating_add(1) != self.n {
            return Err(PolicyError::Malformed(format!(
                "wrap-up out of sequence ({} of {} certificates processed)",
                self.processed, self.n
            )));
        }

        // (a)
        self.explicit_policy = self.explicit_policy.saturating_sub(1);
        // (b)
        if let Some(pc) = constraints {
            check_constraints(pc)?;
            if pc.require_explicit_policy == Some(0) {
                self.explicit_policy = 0;
            }
        }

        // (g), RFC 9618 §5.5: every live node reaches depth n (§6.1.3 (d)(3) pruned the
        // others), so the valid_policy_node_set is the set of live non-anyPolicy nodes whose
        // parent is an anyPolicy node, and the authorities-constrained policy set is their
        // valid_policy values plus anyPolicy if a node of depth n has valid_policy anyPolicy.
        // Intersecting with a user-initial-policy-set U that is not any-policy keeps the
        // node-set policies in U (step 2) and, when the anyPolicy node of depth n exists,
        // adds every other policy of U (step 3).
        let user_constrained: BTreeSet<ObjectIdentifier> = match &self.graph {
            // (g)(i)
            None => BTreeSet::new(),
            Some(graph) => {
                let mut authorities = BTreeSet::new();
                for pair in graph.windows(2) {
                    let [parent_level, level] = pair else {
                        continue;
                    };
                    for node in level.live_nodes() {
                        let parent_is_any = node
                            .parents
                            .first()
                            .and_then(|&p| parent_level.nodes.get(p))
                            .is_some_and(|p| p.valid_policy == ANY_POLICY);
                        if node.valid_policy != ANY_POLICY && parent_is_any {
                            authorities.insert(node.valid_policy);
                        }
                    }
                }
                let leaf_any = graph
                    .last()
                    .is_some_and(|leaf| leaf.live(&ANY_POLICY).is_some());
                match &self.user_initial_policy_set {
                    // (g)(ii)
                    None => {
                        if leaf_any {
                            authorities.insert(ANY_POLICY);
                        }
                        authorities
                    }
                    // (g)(iii)
                    Some(user) if leaf_any => user.clone(),
                    Some(user) => authorities.intersection(user).copied().collect(),
                }
            }
        };

        if self.explicit_policy == 0 && user_constrained.is_empty() {
            return Err(PolicyError::NoValidPolicy(
                "intersection of the valid_policy_graph and the user-initial-policy-set is \
                 NULL and explicit_policy is 0"
                    .into(),
            ));
        }
        Ok(user_constrained.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use std::time::{Duration, Instant};
    use x509_cert::ext::pkix::certpolicy::PolicyInformation;
    use x509_cert::ext::pkix::PolicyMapping;
    use x509_cert::Certificate;

    const P1: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.1");
    const P2: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.2");
    const P3: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.3");
    const P6: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.6");

    /// The NIST PKITS certificates (tests/vectors/pkits/PROVENANCE.md).
    const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/pkits/certs/");

    fn read(file: &str) -> Option<Vec<u8>> {
        std::fs::read(format!("{TESTDATA}{file}")).ok()
    }

    /// PKITS file of an intermediate CA: `<name>CACert.crt`, or `<name>Cert.crt` for the
    /// names that already end in a CA designation.
    fn load_ca(name: &str) -> Certificate {
        let bytes = read(&format!("{name}CACert.crt"))
            .or_else(|| read(&format!("{name}Cert.crt")))
            .unwrap_or_else(|| panic!("missing PKITS certificate {name}"));
        Certificate::from_der(&bytes).expect("decode CA certificate")
    }

    fn load_ee(file: &str) -> Certificate {
        let bytes = read(file).unwrap_or_else(|| panic!("missing PKITS certificate {file}"));
        Certificate::from_der(&bytes).expect("decode EE certificate")
    }

    /// RFC 5280 §6.1 policy steps over a path (trust anchor excluded).
    fn run(
        cas: &[&str],
        ee: &str,
        inputs: &PolicyInputs,
    ) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        let mut certs: Vec<Certificate> = cas.iter().map(|c| load_ca(c)).collect();
        certs.push(load_ee(ee));
        let n = certs.len();
        let mut state = PolicyState::new(n, inputs);
        for (k, cert) in certs.iter().enumerate() {
            let tbs = cert.tbs_certificate();
            let i = k + 1;
            let self_issued = tbs.subject() == tbs.issuer();
            state.process(tbs, i, self_issued)?;
            if i < n {
                state.prepare(tbs, self_issued)?;
            } else {
                return state.finish(tbs);
            }
        }
        unreachable!("path has an end-entity certificate")
    }

    fn inputs(
        explicit: bool,
        set: &[ObjectIdentifier],
        map_inh: bool,
        any_inh: bool,
    ) -> PolicyInputs {
        PolicyInputs {
            initial_policy_set: if set.is_empty() {
                vec![ANY_POLICY]
            } else {
                set.to_vec()
            },
            initial_explicit_policy: explicit,
            initial_policy_mapping_inhibit: map_inh,
            initial_any_policy_inhibit: any_inh,
        }
    }

    #[derive(Clone, Copy, Debug)]
    enum Exp {
        /// Valid, with this user-constrained policy set.
        Set(&'static [ObjectIdentifier]),
        /// NoValidPolicy.
        Reject,
        /// MappingToOrFromAnyPolicy.
        MapAny,
    }

    struct Case {
        name: &'static str,
        cas: &'static [&'static str],
        ee: &'static str,
        inputs: PolicyInputs,
        exp: Exp,
    }

    fn case(
        name: &'static str,
        cas: &'static [&'static str],
        ee: &'static str,
        inputs: PolicyInputs,
        exp: Exp,
    ) -> Case {
        Case {
            name,
            cas,
            ee,
            inputs,
            exp,
        }
    }

    fn check(cases: &[Case]) {
        let mut failures = Vec::new();
        for c in cases {
            let got = run(c.cas, c.ee, &c.inputs);
            let ok = match (&c.exp, &got) {
                (Exp::Set(want), Ok(set)) => set.as_slice() == *want,
                (Exp::Reject, Err(PolicyError::NoValidPolicy(_))) => true,
                (Exp::MapAny, Err(PolicyError::MappingToOrFromAnyPolicy(_))) => true,
                _ => false,
            };
            if !ok {
                failures.push(format!("{}: expected {:?}, got {:?}", c.name, c.exp, got));
            }
        }
        assert!(
            failures.is_empty(),
            "PKITS mismatches:\n{}",
            failures.join("\n")
        );
    }

    fn d() -> PolicyInputs {
        PolicyInputs::default()
    }

    #[test]
    fn pkits_4_8_certificate_policies() {
        use Exp::*;
        let s1 = || inputs(true, &[], false, false);
        let s2 = inputs(true, &[P1], false, false);
        let s3 = inputs(true, &[P2], false, false);
        let s4 = || inputs(true, &[P1, P2], false, false);
        let s5 = || inputs(false, &[P1], false, false);
        let s6 = || inputs(false, &[P2], false, false);
        let s7 = inputs(false, &[P3], false, false);
        const P1234: &[&str] = &[
            "PoliciesP1234",
            "PoliciesP1234subCAP123",
            "PoliciesP1234subsubCAP123P12",
        ];
        check(&[
            case(
                "4.8.1.1",
                &["Good"],
                "ValidCertificatePathTest1EE.crt",
                s1(),
                Set(&[P1]),
            ),
            case(
                "4.8.1.2",
                &["Good"],
                "ValidCertificatePathTest1EE.crt",
                s2,
                Set(&[P1]),
            ),
            case(
                "4.8.1.3",
                &["Good"],
                "ValidCertificatePathTest1EE.crt",
                s3,
                Reject,
            ),
            case(
                "4.8.1.4",
                &["Good"],
                "ValidCertificatePathTest1EE.crt",
                s4(),
                Set(&[P1]),
            ),
            case(
                "4.8.2.1",
                &["NoPolicies"],
                "AllCertificatesNoPoliciesTest2EE.crt",
                d(),
                Set(&[]),
            ),
            case(
                "4.8.2.2",
                &["NoPolicies"],
                "AllCertificatesNoPoliciesTest2EE.crt",
                s1(),
                Reject,
            ),
            case(
                "4.8.3.1",
                &["Good", "PoliciesP2sub"],
                "DifferentPoliciesTest3EE.crt",
                d(),
                Set(&[]),
            ),
            case(
                "4.8.3.2",
                &["Good", "PoliciesP2sub"],
                "DifferentPoliciesTest3EE.crt",
                s1(),
                Reject,
            ),
            case(
                "4.8.3.3",
                &["Good", "PoliciesP2sub"],
                "DifferentPoliciesTest3EE.crt",
                s4(),
                Reject,
            ),
            case(
                "4.8.4",
                &["Good", "Goodsub"],
                "DifferentPoliciesTest4EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.8.5",
                &["Good", "PoliciesP2subCA2"],
                "DifferentPoliciesTest5EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.8.6.1",
                P1234,
                "OverlappingPoliciesTest6EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.6.2",
                P1234,
                "OverlappingPoliciesTest6EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.8.6.3",
                P1234,
                "OverlappingPoliciesTest6EE.crt",
                s6(),
                Reject,
            ),
            case(
                "4.8.7",
                &[
                    "PoliciesP123",
                    "PoliciesP123subCAP12",
                    "PoliciesP123subsubCAP12P1",
                ],
                "DifferentPoliciesTest7EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.8.8",
                &[
                    "PoliciesP12",
                    "PoliciesP12subCAP1",
                    "PoliciesP12subsubCAP1P2",
                ],
                "DifferentPoliciesTest8EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.8.9",
                &[
                    "PoliciesP123",
                    "PoliciesP123subCAP12",
                    "PoliciesP123subsubCAP12P2",
                    "PoliciesP123subsubsubCAP12P2P1",
                ],
                "DifferentPoliciesTest9EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.8.10.1",
                &["PoliciesP12"],
                "AllCertificatesSamePoliciesTest10EE.crt",
                d(),
                Set(&[P1, P2]),
            ),
            case(
                "4.8.10.2",
                &["PoliciesP12"],
                "AllCertificatesSamePoliciesTest10EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.8.10.3",
                &["PoliciesP12"],
                "AllCertificatesSamePoliciesTest10EE.crt",
                s6(),
                Set(&[P2]),
            ),
            case(
                "4.8.11.1",
                &["anyPolicy"],
                "AllCertificatesanyPolicyTest11EE.crt",
                d(),
                Set(&[ANY_POLICY]),
            ),
            case(
                "4.8.11.2",
                &["anyPolicy"],
                "AllCertificatesanyPolicyTest11EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.8.12",
                &["PoliciesP3"],
                "DifferentPoliciesTest12EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.8.13.1",
                &["PoliciesP123"],
                "AllCertificatesSamePoliciesTest13EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.8.13.2",
                &["PoliciesP123"],
                "AllCertificatesSamePoliciesTest13EE.crt",
                s6(),
                Set(&[P2]),
            ),
            case(
                "4.8.13.3",
                &["PoliciesP123"],
                "AllCertificatesSamePoliciesTest13EE.crt",
                s7,
                Set(&[P3]),
            ),
            case(
                "4.8.13.d",
                &["PoliciesP123"],
                "AllCertificatesSamePoliciesTest13EE.crt",
                d(),
                Set(&[P1, P2, P3]),
            ),
            case(
                "4.8.14.1",
                &["anyPolicy"],
                "AnyPolicyTest14EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.8.14.2",
                &["anyPolicy"],
                "AnyPolicyTest14EE.crt",
                s6(),
                Reject,
            ),
            case(
                "4.8.14.d",
                &["anyPolicy"],
                "AnyPolicyTest14EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.15",
                &[],
                "UserNoticeQualifierTest15EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.16",
                &["Good"],
                "UserNoticeQualifierTest16EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.17",
                &["Good"],
                "UserNoticeQualifierTest17EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.18.1",
                &["PoliciesP12"],
                "UserNoticeQualifierTest18EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.8.18.2",
                &["PoliciesP12"],
                "UserNoticeQualifierTest18EE.crt",
                s6(),
                Set(&[P2]),
            ),
            case(
                "4.8.19",
                &[],
                "UserNoticeQualifierTest19EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.20.1",
                &["Good"],
                "CPSPointerQualifierTest20EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.8.20.2",
                &["Good"],
                "CPSPointerQualifierTest20EE.crt",
                s1(),
                Set(&[P1]),
            ),
        ]);
    }

    #[test]
    fn pkits_4_9_require_explicit_policy() {
        use Exp::*;
        check(&[
            case(
                "4.9.1",
                &[
                    "requireExplicitPolicy10",
                    "requireExplicitPolicy10sub",
                    "requireExplicitPolicy10subsub",
                    "requireExplicitPolicy10subsubsub",
                ],
                "ValidrequireExplicitPolicyTest1EE.crt",
                d(),
                Set(&[]),
            ),
            case(
                "4.9.2",
                &[
                    "requireExplicitPolicy5",
                    "requireExplicitPolicy5sub",
                    "requireExplicitPolicy5subsub",
                    "requireExplicitPolicy5subsubsub",
                ],
                "ValidrequireExplicitPolicyTest2EE.crt",
                d(),
                Set(&[]),
            ),
            case(
                "4.9.3",
                &[
                    "requireExplicitPolicy4",
                    "requireExplicitPolicy4sub",
                    "requireExplicitPolicy4subsub",
                    "requireExplicitPolicy4subsubsub",
                ],
                "InvalidrequireExplicitPolicyTest3EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.9.4",
                &[
                    "requireExplicitPolicy0",
                    "requireExplicitPolicy0sub",
                    "requireExplicitPolicy0subsub",
                    "requireExplicitPolicy0subsubsub",
                ],
                "ValidrequireExplicitPolicyTest4EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.9.5",
                &[
                    "requireExplicitPolicy7",
                    "requireExplicitPolicy7subCARE2",
                    "requireExplicitPolicy7subsubCARE2RE4",
                    "requireExplicitPolicy7subsubsubCARE2RE4",
                ],
                "InvalidrequireExplicitPolicyTest5EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.9.6",
                &["requireExplicitPolicy2", "requireExplicitPolicy2SelfIssued"],
                "ValidSelfIssuedrequireExplicitPolicyTest6EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.9.7",
                &[
                    "requireExplicitPolicy2",
                    "requireExplicitPolicy2SelfIssued",
                    "requireExplicitPolicy2sub",
                ],
                "InvalidSelfIssuedrequireExplicitPolicyTest7EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.9.8",
                &[
                    "requireExplicitPolicy2",
                    "requireExplicitPolicy2SelfIssued",
                    "requireExplicitPolicy2sub",
                    "requireExplicitPolicy2SelfIssuedsub",
                ],
                "InvalidSelfIssuedrequireExplicitPolicyTest8EE.crt",
                d(),
                Reject,
            ),
        ]);
    }

    #[test]
    fn pkits_4_10_policy_mappings() {
        use Exp::*;
        let s5 = || inputs(false, &[P1], false, false);
        let s6 = || inputs(false, &[P2], false, false);
        let s8 = || inputs(false, &[], true, false);
        let s9 = || inputs(false, &[P6], false, false);
        const M123: &[&str] = &[
            "P12Mapping1to3",
            "P12Mapping1to3sub",
            "P12Mapping1to3subsub",
        ];
        const M1234: &[&str] = &["P1Mapping1to234", "P1Mapping1to234sub"];
        check(&[
            case(
                "4.10.1.1",
                &["Mapping1to2"],
                "ValidPolicyMappingTest1EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.10.1.2",
                &["Mapping1to2"],
                "ValidPolicyMappingTest1EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.10.1.3",
                &["Mapping1to2"],
                "ValidPolicyMappingTest1EE.crt",
                s6(),
                Reject,
            ),
            case(
                "4.10.1.4",
                &["Mapping1to2"],
                "ValidPolicyMappingTest1EE.crt",
                s8(),
                Reject,
            ),
            case(
                "4.10.2.1",
                &["Mapping1to2"],
                "InvalidPolicyMappingTest2EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.10.2.2",
                &["Mapping1to2"],
                "InvalidPolicyMappingTest2EE.crt",
                s8(),
                Reject,
            ),
            case(
                "4.10.3.1",
                M123,
                "ValidPolicyMappingTest3EE.crt",
                s5(),
                Reject,
            ),
            case(
                "4.10.3.2",
                M123,
                "ValidPolicyMappingTest3EE.crt",
                s6(),
                Set(&[P2]),
            ),
            case(
                "4.10.4",
                M123,
                "InvalidPolicyMappingTest4EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.10.5.1",
                M1234,
                "ValidPolicyMappingTest5EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.10.5.2",
                M1234,
                "ValidPolicyMappingTest5EE.crt",
                s9(),
                Reject,
            ),
            case(
                "4.10.6.1",
                M1234,
                "ValidPolicyMappingTest6EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.10.6.2",
                M1234,
                "ValidPolicyMappingTest6EE.crt",
                s9(),
                Reject,
            ),
            case(
                "4.10.7",
                &["MappingFromanyPolicy"],
                "InvalidMappingFromanyPolicyTest7EE.crt",
                d(),
                MapAny,
            ),
            case(
                "4.10.8",
                &["MappingToanyPolicy"],
                "InvalidMappingToanyPolicyTest8EE.crt",
                d(),
                MapAny,
            ),
            case(
                "4.10.9",
                &["PanyPolicyMapping1to2"],
                "ValidPolicyMappingTest9EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.10.10",
                &["Good", "GoodsubCAPanyPolicyMapping1to2"],
                "InvalidPolicyMappingTest10EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.10.11",
                &["Good", "GoodsubCAPanyPolicyMapping1to2"],
                "ValidPolicyMappingTest11EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.10.12.1",
                &["P12Mapping1to3"],
                "ValidPolicyMappingTest12EE.crt",
                s5(),
                Set(&[P1]),
            ),
            case(
                "4.10.12.2",
                &["P12Mapping1to3"],
                "ValidPolicyMappingTest12EE.crt",
                s6(),
                Set(&[P2]),
            ),
            case(
                "4.10.12.d",
                &["P12Mapping1to3"],
                "ValidPolicyMappingTest12EE.crt",
                d(),
                Set(&[P1, P2]),
            ),
            case(
                "4.10.13",
                &["P1anyPolicyMapping1to2"],
                "ValidPolicyMappingTest13EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.10.14",
                &["P1anyPolicyMapping1to2"],
                "ValidPolicyMappingTest14EE.crt",
                d(),
                Set(&[P1]),
            ),
        ]);
    }

    #[test]
    fn pkits_4_11_inhibit_policy_mapping() {
        use Exp::*;
        const IPM1P12: &[&str] = &[
            "inhibitPolicyMapping1P12",
            "inhibitPolicyMapping1P12sub",
            "inhibitPolicyMapping1P12subsub",
        ];
        const IPM1P1_SI: &[&str] = &[
            "inhibitPolicyMapping1P1",
            "inhibitPolicyMapping1P1SelfIssued",
            "inhibitPolicyMapping1P1sub",
        ];
        const IPM1P1_SI_SUBSUB: &[&str] = &[
            "inhibitPolicyMapping1P1",
            "inhibitPolicyMapping1P1SelfIssued",
            "inhibitPolicyMapping1P1sub",
            "inhibitPolicyMapping1P1subsub",
        ];
        const IPM1P1_SI_SISUB: &[&str] = &[
            "inhibitPolicyMapping1P1",
            "inhibitPolicyMapping1P1SelfIssued",
            "inhibitPolicyMapping1P1sub",
            "inhibitPolicyMapping1P1SelfIssuedsub",
        ];
        check(&[
            case(
                "4.11.1",
                &["inhibitPolicyMapping0", "inhibitPolicyMapping0sub"],
                "InvalidinhibitPolicyMappingTest1EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.2",
                &["inhibitPolicyMapping1P12", "inhibitPolicyMapping1P12sub"],
                "ValidinhibitPolicyMappingTest2EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.11.3",
                IPM1P12,
                "InvalidinhibitPolicyMappingTest3EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.4",
                IPM1P12,
                "ValidinhibitPolicyMappingTest4EE.crt",
                d(),
                Set(&[P2]),
            ),
            case(
                "4.11.5",
                &[
                    "inhibitPolicyMapping5",
                    "inhibitPolicyMapping5sub",
                    "inhibitPolicyMapping5subsub",
                    "inhibitPolicyMapping5subsubsub",
                ],
                "InvalidinhibitPolicyMappingTest5EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.6",
                &[
                    "inhibitPolicyMapping1P12",
                    "inhibitPolicyMapping1P12subCAIPM5",
                    "inhibitPolicyMapping1P12subsubCAIPM5",
                ],
                "InvalidinhibitPolicyMappingTest6EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.7",
                IPM1P1_SI,
                "ValidSelfIssuedinhibitPolicyMappingTest7EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.11.8",
                IPM1P1_SI_SUBSUB,
                "InvalidSelfIssuedinhibitPolicyMappingTest8EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.9",
                IPM1P1_SI_SUBSUB,
                "InvalidSelfIssuedinhibitPolicyMappingTest9EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.10",
                IPM1P1_SI_SISUB,
                "InvalidSelfIssuedinhibitPolicyMappingTest10EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.11.11",
                IPM1P1_SI_SISUB,
                "InvalidSelfIssuedinhibitPolicyMappingTest11EE.crt",
                d(),
                Reject,
            ),
        ]);
    }

    #[test]
    fn pkits_4_12_inhibit_any_policy() {
        use Exp::*;
        const IAP1: &[&str] = &["inhibitAnyPolicy1", "inhibitAnyPolicy1subCA1"];
        const IAP1_SI: &[&str] = &[
            "inhibitAnyPolicy1",
            "inhibitAnyPolicy1SelfIssued",
            "inhibitAnyPolicy1subCA2",
        ];
        check(&[
            case(
                "4.12.1",
                &["inhibitAnyPolicy0"],
                "InvalidinhibitAnyPolicyTest1EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.12.2",
                &["inhibitAnyPolicy0"],
                "ValidinhibitAnyPolicyTest2EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.12.3.1",
                IAP1,
                "inhibitAnyPolicyTest3EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.12.3.2",
                IAP1,
                "inhibitAnyPolicyTest3EE.crt",
                inputs(false, &[], false, true),
                Reject,
            ),
            case(
                "4.12.4",
                IAP1,
                "InvalidinhibitAnyPolicyTest4EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.12.5",
                &[
                    "inhibitAnyPolicy5",
                    "inhibitAnyPolicy5sub",
                    "inhibitAnyPolicy5subsub",
                ],
                "InvalidinhibitAnyPolicyTest5EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.12.6",
                &["inhibitAnyPolicy1", "inhibitAnyPolicy1subCAIAP5"],
                "InvalidinhibitAnyPolicyTest6EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.12.7",
                IAP1_SI,
                "ValidSelfIssuedinhibitAnyPolicyTest7EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.12.8",
                &[
                    "inhibitAnyPolicy1",
                    "inhibitAnyPolicy1SelfIssued",
                    "inhibitAnyPolicy1subCA2",
                    "inhibitAnyPolicy1subsubCA2",
                ],
                "InvalidSelfIssuedinhibitAnyPolicyTest8EE.crt",
                d(),
                Reject,
            ),
            case(
                "4.12.9",
                &[
                    "inhibitAnyPolicy1",
                    "inhibitAnyPolicy1SelfIssued",
                    "inhibitAnyPolicy1subCA2",
                    "inhibitAnyPolicy1SelfIssuedsubCA2",
                ],
                "ValidSelfIssuedinhibitAnyPolicyTest9EE.crt",
                d(),
                Set(&[P1]),
            ),
            case(
                "4.12.10",
                IAP1_SI,
                "InvalidSelfIssuedinhibitAnyPolicyTest10EE.crt",
                d(),
                Reject,
            ),
        ]);
    }

    // ---- decoded-extension level tests ----

    fn oid(k: usize) -> ObjectIdentifier {
        ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.{k}")).expect("oid")
    }

    fn policies(oids: &[ObjectIdentifier]) -> CertificatePolicies {
        CertificatePolicies(
            oids.iter()
                .map(|&policy_identifier| PolicyInformation {
                    policy_identifier,
                    policy_qualifiers: None,
                })
                .collect(),
        )
    }

    fn mappings(pairs: &[(ObjectIdentifier, ObjectIdentifier)]) -> PolicyMappings {
        PolicyMappings(
            pairs
                .iter()
                .map(|&(i, s)| PolicyMapping {
                    issuer_domain_policy: i,
                    subject_domain_policy: s,
                })
                .collect(),
        )
    }

    /// Runs a path of `n` certificates given per-certificate decoded extensions.
    fn run_decoded(
        n: usize,
        inputs: &PolicyInputs,
        cert: impl Fn(usize) -> (CertificatePolicies, Option<PolicyMappings>),
    ) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        let mut state = PolicyState::new(n, inputs);
        for i in 1..=n {
            let (cp, pm) = cert(i);
            state.process_policies(Some(&cp), i, false)?;
            if i < n {
                state.prepare_with(pm.as_ref(), None, None, false)?;
            }
        }
        state.finish_with(None)
    }

    /// Each CA asserts k policies and maps every one of them to all k (the shape behind
    /// CVE-2023-0464): the RFC 5280 tree has k^n leaves, the graph k nodes and k^2 edges
    /// per level.
    fn mesh(n: usize, k: usize) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        let oids: Vec<ObjectIdentifier> = (0..k).map(oid).collect();
        let pairs: Vec<_> = oids
            .iter()
            .flat_map(|&a| oids.iter().map(move |&b| (a, b)))
            .collect();
        run_decoded(n, &PolicyInputs::default(), |_| {
            (policies(&oids), Some(mappings(&pairs)))
        })
    }

    #[test]
    fn hostile_mapping_mesh_small_is_polynomial() {
        let start = Instant::now();
        let got = mesh(8, 10).expect("within bound");
        assert_eq!(
            got,
            (0..10)
                .map(oid)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn hostile_mapping_mesh_large_hits_limit() {
        let start = Instant::now();
        assert!(matches!(mesh(8, 64), Err(PolicyError::Limit(_))));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn hostile_many_policies_with_any_policy_hits_limit() {
        let start = Instant::now();
        let r = run_decoded(8, &PolicyInputs::default(), |i| {
            let mut oids: Vec<ObjectIdentifier> = (0..500).map(|k| oid(i * 1000 + k)).collect();
            oids.push(ANY_POLICY);
            let pairs: Vec<_> = (0..500)
                .map(|k| (oid(i * 1000 + k), oid((i + 1) * 1000 + 500 + k)))
                .collect();
            (policies(&oids), Some(mappings(&pairs)))
        });
        assert!(matches!(r, Err(PolicyError::Limit(_))), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn hostile_many_policies_within_bound() {
        // 8 certificates, 100 policies each, every CA also asserting anyPolicy.
        let start = Instant::now();
        let r = run_decoded(8, &PolicyInputs::default(), |i| {
            let mut oids: Vec<ObjectIdentifier> = (0..100).map(oid).collect();
            if i < 8 {
                oids.push(ANY_POLICY);
            }
            (policies(&oids), None)
        });
        assert!(matches!(r, Ok(ref set) if set.len() == 100), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn duplicate_policy_is_malformed() {
        let mut state = PolicyState::new(1, &PolicyInputs::default());
        let cp = policies(&[P1, P2, P1]);
        assert!(matches!(
            state.process_policies(Some(&cp), 1, false),
            Err(PolicyError::Malformed(_))
        ));
        // The state refuses further use after a failure.
        assert!(matches!(
            state.finish_with(None),
            Err(PolicyError::Malformed(_))
        ));
    }

    #[test]
    fn empty_policy_constraints_is_malformed() {
        let mut state = PolicyState::new(2, &PolicyInputs::default());
        state
            .process_policies(Some(&policies(&[P1])), 1, false)
            .expect("process");
        let pc = PolicyConstraints {
            require_explicit_policy: None,
            inhibit_policy_mapping: None,
        };
        assert!(matches!(
            state.prepare_with(None, Some(&pc), None, false),
            Err(PolicyError::Malformed(_))
        ));
    }

    #[test]
    fn mapping_any_policy_is_rejected_even_when_graph_is_null() {
        let mut state = PolicyState::new(2, &PolicyInputs::default());
        state.process_policies(None, 1, false).expect("process");
        let pm = mappings(&[(P1, ANY_POLICY)]);
        assert!(matches!(
            state.prepare_with(Some(&pm), None, None, false),
            Err(PolicyError::MappingToOrFromAnyPolicy(_))
        ));
    }

    #[test]
    fn out_of_sequence_calls_are_rejected() {
        let mut state = PolicyState::new(2, &PolicyInputs::default());
        let cp = policies(&[P1]);
        assert!(state.process_policies(Some(&cp), 2, false).is_err());
        let mut state = PolicyState::new(2, &PolicyInputs::default());
        state
            .process_policies(Some(&cp), 1, false)
            .expect("process");
        assert!(state.finish_with(None).is_err());
        let mut state = PolicyState::new(1, &PolicyInputs::default());
        state
            .process_policies(Some(&cp), 1, false)
            .expect("process");
        assert!(state.prepare_with(None, None, None, false).is_err());
        let mut state = PolicyState::new(0, &PolicyInputs::default());
        assert!(state.process_policies(Some(&cp), 1, false).is_err());
    }

    #[test]
    fn undecodable_certificate_policies_is_malformed() {
        let cert = load_ca("Good");
        let mut der = cert.tbs_certificate().to_der().expect("encode");
        // certificatePolicies OID 2.5.29.32, then (no critical flag) OCTET STRING whose
        // content starts with the SEQUENCE tag: turn it into a SET tag.
        let oid = [0x06, 0x03, 0x55, 0x1d, 0x20];
        let at = der
            .windows(oid.len())
            .position(|w| w == oid)
            .expect("certificatePolicies present");
        let mut pos = at + oid.len();
        if der[pos] == 0x01 {
            pos += 3; // BOOLEAN critical
        }
        assert_eq!(der[pos], 0x04);
        let content = pos + 2; // short-form length in this certificate
        assert_eq!(der[content], 0x30);
        der[content] = 0x31;
        let tbs = TbsCertificate::from_der(&der).expect("outer structure still decodes");
        let mut state = PolicyState::new(2, &PolicyInputs::default());
        assert!(matches!(
            state.process(&tbs, 1, false),
            Err(PolicyError::Malformed(_))
        ));
    }
}
