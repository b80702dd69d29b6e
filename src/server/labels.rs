//! Label-based access control at the agents (draft-melnikov-mmhs-profile-09 §4.1.1, §7.1
//! items 4–5): the security policies of a directory and the configuration that turns
//! enforcement on. The decision itself is the core's [`crate::label_policy::decide`]; this
//! module reads the files, names the next hop of each recipient and writes the audit text.
//!
//! `config.json` of `mmhs serve` (and the boundary agent's policy file) carry
//! `"labelPolicy": { "dir": "label-policies", "unlabelled": "default" }`: `dir` relative to
//! the data directory (or absolute), one JSON file per security policy (`docs/security.md`);
//! `unlabelled` `refuse` (default) or `default`. Absent: labels are not enforced.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Error;
use crate::label_policy::{self, LabelDecision, LabelInput, PolicySet, RecipientRef, Unlabelled};

/// Most policy files read from a directory.
pub(crate) const MAX_FILES: usize = label_policy::policy::MAX_POLICIES;

/// The `labelPolicy` configuration key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelPolicyConfig {
    /// The directory of policy files (relative to the data directory, or absolute).
    pub dir: PathBuf,
    /// What happens to unlabelled military messages.
    #[serde(default)]
    pub unlabelled: Unlabelled,
}

/// The demo data's security policy (`<data>/label-policies/army.json`, written on first run):
/// the army's classifications, the navy policy mapped onto them, clearances for the demo
/// users and the navy domain.
pub(crate) const DEMO_ARMY_POLICY: &str = r#"{
  "policy": "1.3.6.1.4.1.55555.1",
  "name": "ARMY (demo)",
  "local": true,
  "classifications": [
    { "value": 1, "name": "unclassified", "marking": "ARMY UNCLASSIFIED", "fgcolor": "black", "bgcolor": "lime" },
    { "value": 2, "name": "restricted", "marking": "ARMY RESTRICTED", "fgcolor": "black", "bgcolor": "yellow" },
    { "value": 3, "name": "confidential", "marking": "ARMY CONFIDENTIAL", "fgcolor": "white", "bgcolor": "blue" },
    { "value": 4, "name": "secret", "marking": "ARMY SECRET", "fgcolor": "white", "bgcolor": "red" }
  ],
  "categories": [
    { "type": "2.16.840.1.101.2.1.8.3.1", "value": "DAROQVZZ", "marking": "REL NAVY" }
  ],
  "defaultLabel": { "classification": 1 },
  "equivalences": [
    { "policy": "1.3.6.1.4.1.55555.2",
      "classifications": [
        { "theirs": 1, "ours": 1 }, { "theirs": 2, "ours": 2 },
        { "theirs": 3, "ours": 3 }, { "theirs": 4, "ours": 4 } ] }
  ],
  "clearances": {
    "alice@army.example": { "maxClassification": 4,
      "categories": [{ "type": "2.16.840.1.101.2.1.8.3.1", "value": "DAROQVZZ" }] },
    "officer@army.example": { "maxClassification": 4,
      "categories": [{ "type": "2.16.840.1.101.2.1.8.3.1", "value": "DAROQVZZ" }] },
    "army.example": 3,
    "navy.example": 2
  },
  "defaultClearance": 1
}
"#;

/// The demo data's second policy: the navy's, which the army maps (`navy.json`).
pub(crate) const DEMO_NAVY_POLICY: &str = r#"{
  "policy": "1.3.6.1.4.1.55555.2",
  "name": "NAVY (demo)",
  "classifications": [
    { "value": 1, "name": "unclassified", "marking": "NAVY UNCLASSIFIED" },
    { "value": 2, "name": "restricted", "marking": "NAVY RESTRICTED" },
    { "value": 3, "name": "confidential", "marking": "NAVY CONFIDENTIAL" },
    { "value": 4, "name": "secret", "marking": "NAVY SECRET" }
  ]
}
"#;

/// The demo data's third policy: the extension's demo label catalogue policy
/// (`www/src/shared/labels.ts`, 1.3.26.1.10.1, an illustrative arc), so that what the demo
/// extension labels is judged rather than refused as `label-policy-unknown` (`demo.json`).
/// Both demo domains are cleared to SECRET; TOP SECRET stays within the army.
pub(crate) const DEMO_CATALOGUE_POLICY: &str = r#"{
  "policy": "1.3.26.1.10.1",
  "name": "Demo policy",
  "classifications": [
    { "value": 0, "name": "unmarked", "marking": "UNMARKED" },
    { "value": 1, "name": "unclassified", "marking": "UNCLASSIFIED", "fgcolor": "black", "bgcolor": "lime" },
    { "value": 2, "name": "restricted", "marking": "RESTRICTED", "fgcolor": "black", "bgcolor": "yellow" },
    { "value": 3, "name": "confidential", "marking": "CONFIDENTIAL", "fgcolor": "white", "bgcolor": "blue" },
    { "value": 4, "name": "secret", "marking": "SECRET", "fgcolor": "white", "bgcolor": "red" },
    { "value": 5, "name": "top-secret", "marking": "TOP SECRET", "fgcolor": "black", "bgcolor": "orange" }
  ],
  "categories": [
    { "type": "2.16.840.1.101.2.1.8.3.1", "value": "ExJSRUxFQVNBQkxFIFRPIE5BVE8=", "marking": "REL NATO" },
    { "type": "2.16.840.1.101.2.1.8.3.1", "value": "EwZBVE9NQUw=", "marking": "ATOMAL" }
  ],
  "clearances": {
    "army.example": 5,
    "navy.example": 4
  },
  "defaultClearance": 1
}
"#;

/// The demo configuration: enforcement on, unlabelled military messages given the default.
pub(crate) fn demo_config() -> LabelPolicyConfig {
    LabelPolicyConfig {
        dir: PathBuf::from("label-policies"),
        unlabelled: Unlabelled::Default,
    }
}

/// Write the demo policies into `dir` unless it exists.
pub(crate) fn seed_demo(dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
    for (name, text) in [
        ("army.json", DEMO_ARMY_POLICY),
        ("navy.json", DEMO_NAVY_POLICY),
        ("demo.json", DEMO_CATALOGUE_POLICY),
    ] {
        super::private_file::write_private(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// The policy directory of `cfg`, relative to `base`.
pub(crate) fn resolve(base: &Path, cfg: &LabelPolicyConfig) -> PathBuf {
    if cfg.dir.is_absolute() {
        cfg.dir.clone()
    } else {
        base.join(&cfg.dir)
    }
}

/// `mmhs serve`: the demo policies are written when the configured directory is the demo's
/// (`label-policies`) and does not exist yet, then the directory is loaded.
pub(crate) fn load_for_serve(
    data: &Path,
    cfg: &LabelPolicyConfig,
) -> Result<LabelEnforcement, Error> {
    if cfg.dir == demo_config().dir {
        seed_demo(&resolve(data, cfg))?;
    }
    LabelEnforcement::load(data, cfg)
}

/// Read every `*.json` file of `dir` (sorted by name) as one security policy each.
pub(crate) fn load_dir(dir: &Path) -> Result<PolicySet, Error> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .take(MAX_FILES + 1)
        .collect();
    if files.len() > MAX_FILES {
        return Err(Error::Config(format!(
            "{}: more than {MAX_FILES} policy files",
            dir.display()
        )));
    }
    files.sort();
    let mut texts = Vec::new();
    for f in &files {
        let len = std::fs::metadata(f)
            .map_err(|e| Error::Io(format!("{}: {e}", f.display())))?
            .len();
        if len > label_policy::policy::MAX_POLICY_BYTES as u64 {
            return Err(Error::Config(format!(
                "{}: policy file too large",
                f.display()
            )));
        }
        let text =
            std::fs::read_to_string(f).map_err(|e| Error::Io(format!("{}: {e}", f.display())))?;
        texts.push((f.display().to_string(), text));
    }
    PolicySet::from_json_texts(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| Error::Config(e.0))
}

/// Enforcement: the policies and the unlabelled mode.
#[derive(Debug, Clone)]
pub struct LabelEnforcement {
    /// The policies.
    pub set: PolicySet,
    /// Unlabelled military messages.
    pub unlabelled: Unlabelled,
}

impl LabelEnforcement {
    /// Load the configured directory (`base` resolves a relative `dir`).
    pub fn load(base: &Path, cfg: &LabelPolicyConfig) -> Result<LabelEnforcement, Error> {
        let dir = resolve(base, cfg);
        Ok(LabelEnforcement {
            set: load_dir(&dir)?,
            unlabelled: cfg.unlabelled,
        })
    }

    /// Decide for a verified message: `input` from the report, recipients with their next
    /// hops.
    pub fn decide(&self, mut input: LabelInput, recipients: Vec<RecipientRef>) -> LabelDecision {
        input.recipients = recipients;
        input.unlabelled = self.unlabelled;
        label_policy::decide(&self.set, &input)
    }
}

/// The audit text of a decision: action, label (marking) and source, then each refusal.
pub(crate) fn audit_text(d: &LabelDecision) -> String {
    let label = match (&d.marking, &d.label) {
        (Some(m), _) => m.clone(),
        (None, Some(l)) => format!(
            "policy {} classification {}",
            l.policy,
            l.classification
                .map_or_else(|| "none".into(), |c| c.to_string())
        ),
        (None, None) => "no label".into(),
    };
    let mut s = format!(
        "label {}: {label} ({})",
        serde_json::to_value(d.action)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        serde_json::to_value(d.source)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    );
    for line in d.refusal_lines() {
        s.push_str("; ");
        s.push_str(&line);
    }
    for r in d.recipients.iter().filter(|r| r.allowed) {
        s.push_str(&format!("; <{}> {}", r.address, r.reason));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_policies_load_and_seed_once() {
        let dir = std::env::temp_dir().join(format!("mmhs-labels-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let e = load_for_serve(&dir, &demo_config()).unwrap();
        assert_eq!(e.set.policies.len(), 3);
        assert_eq!(e.set.local().unwrap().name, "ARMY (demo)");
        // An operator's edit is kept: no re-seeding over an existing directory.
        let army = dir.join("label-policies/army.json");
        std::fs::write(&army, DEMO_ARMY_POLICY.replace("ARMY (demo)", "ARMY")).unwrap();
        let e = load_for_serve(&dir, &demo_config()).unwrap();
        assert_eq!(e.set.local().unwrap().name, "ARMY");
        // A broken file stops the agent (fail closed), naming the file.
        std::fs::write(dir.join("label-policies/bad.json"), "{").unwrap();
        let err = load_for_serve(&dir, &demo_config()).unwrap_err();
        assert!(err.to_string().contains("bad.json"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
