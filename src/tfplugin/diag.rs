//! Diagnostics (errors and warnings shown to the practitioner) and attribute paths.
//!
//! A diagnostic has a one-line summary and a detail that says what happened, why, and how to fix
//! it; when it concerns one attribute it carries that attribute's path, so Terraform can point
//! at the offending line of configuration.

use std::fmt;

use super::proto::tfplugin6;

/// How bad a diagnostic is. Any error fails the operation; warnings are only shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One error or warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// The attribute the diagnostic is about, if any.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// The same diagnostic, attached to an attribute.
    pub fn with_attribute(mut self, path: AttributePath) -> Diagnostic {
        self.attribute = Some(path);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn to_proto(&self) -> tfplugin6::Diagnostic {
        let severity = match self.severity {
            Severity::Error => tfplugin6::diagnostic::Severity::Error,
            Severity::Warning => tfplugin6::diagnostic::Severity::Warning,
        };
        tfplugin6::Diagnostic {
            severity: severity as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self
                .attribute
                .as_ref()
                .filter(|p| !p.is_root())
                .map(AttributePath::to_proto),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{level}: {}", self.summary)?;
        if let Some(p) = self.attribute.as_ref().filter(|p| !p.is_root()) {
            write!(f, " (at {p})")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    /// Adds an error that concerns the whole resource (or the request).
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Diagnostic::error(summary, detail));
    }

    /// Adds a warning that concerns the whole resource (or the request).
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Diagnostic::warning(summary, detail));
    }

    /// Adds an error about one attribute.
    pub fn attribute_error(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0
            .push(Diagnostic::error(summary, detail).with_attribute(path));
    }

    /// Adds a warning about one attribute.
    pub fn attribute_warning(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0
            .push(Diagnostic::warning(summary, detail).with_attribute(path));
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The same diagnostics with every attribute path put under `prefix` (e.g. the `config`
    /// block of a `list` block, whose attributes a list resource's schema describes).
    pub fn under(mut self, prefix: &AttributePath) -> Diagnostics {
        for d in &mut self.0 {
            if let Some(path) = &mut d.attribute {
                let mut steps = prefix.0.clone();
                steps.append(&mut path.0);
                path.0 = steps;
            }
        }
        self
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }

    pub fn to_proto(&self) -> Vec<tfplugin6::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics(v)
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    /// One diagnostic a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An attribute of an object (or a nested block by name).
    Attribute(String),
    /// An element of a map, by key.
    Key(String),
    /// An element of a list, by position.
    Index(i64),
}

/// Where a value sits inside a resource: a sequence of steps from the resource's root object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    /// The resource object itself (no steps).
    pub fn root() -> AttributePath {
        AttributePath(Vec::new())
    }

    /// Shorthand for `AttributePath::root().attribute(name)`.
    pub fn new(name: impl Into<String>) -> AttributePath {
        AttributePath::root().attribute(name)
    }

    pub fn attribute(mut self, name: impl Into<String>) -> AttributePath {
        self.0.push(PathStep::Attribute(name.into()));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> AttributePath {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    pub fn index(mut self, index: i64) -> AttributePath {
        self.0.push(PathStep::Index(index));
        self
    }

    pub fn push(&mut self, step: PathStep) {
        self.0.push(step);
    }

    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path without its last step (the root stays the root).
    pub fn parent(&self) -> AttributePath {
        let mut p = self.clone();
        p.0.pop();
        p
    }

    /// True when `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &AttributePath) -> bool {
        self.0.starts_with(&other.0)
    }

    pub fn to_proto(&self) -> tfplugin6::AttributePath {
        use tfplugin6::attribute_path::{step::Selector, Step};
        tfplugin6::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| Step {
                    selector: Some(match s {
                        PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                        PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }

    /// Converts from the wire form; steps without a selector are skipped.
    pub fn from_proto(p: &tfplugin6::AttributePath) -> AttributePath {
        use tfplugin6::attribute_path::step::Selector;
        AttributePath(
            p.steps
                .iter()
                .filter_map(|s| {
                    s.selector.as_ref().map(|sel| match sel {
                        Selector::AttributeName(n) => PathStep::Attribute(n.clone()),
                        Selector::ElementKeyString(k) => PathStep::Key(k.clone()),
                        Selector::ElementKeyInt(i) => PathStep::Index(*i),
                    })
                })
                .collect(),
        )
    }
}

impl From<&str> for AttributePath {
    fn from(name: &str) -> AttributePath {
        AttributePath::new(name)
    }
}

impl fmt::Display for AttributePath {
    /// Terraform's notation: `rules[0].name`, `env["FOO"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(n) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(n)?;
                }
                PathStep::Key(k) => {
                    f.write_str("[\"")?;
                    for c in k.chars() {
                        match c {
                            '"' => f.write_str("\\\"")?,
                            '\\' => f.write_str("\\\\")?,
                            '\n' => f.write_str("\\n")?,
                            '\r' => f.write_str("\\r")?,
                            '\t' => f.write_str("\\t")?,
                            c => write!(f, "{c}")?,
                        }
                    }
                    f.write_str("\"]")?;
                }
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display() {
        let cases: Vec<(AttributePath, &str)> = vec![
            (AttributePath::root(), ""),
            (AttributePath::new("name"), "name"),
            (AttributePath::new("env").key("FOO"), "env[\"FOO\"]"),
            (
                AttributePath::new("rules").index(0).attribute("name"),
                "rules[0].name",
            ),
            (
                AttributePath::new("a").attribute("b").index(3).key("k\"q"),
                "a.b[3][\"k\\\"q\"]",
            ),
            (AttributePath::new("m").key("a\\b"), "m[\"a\\\\b\"]"),
        ];
        for (p, want) in cases {
            assert_eq!(p.to_string(), want);
        }
    }

    #[test]
    fn path_helpers() {
        let p = AttributePath::new("rules").index(2).attribute("port");
        assert_eq!(p.parent(), AttributePath::new("rules").index(2));
        assert!(p.starts_with(&AttributePath::new("rules")));
        assert!(!p.starts_with(&AttributePath::new("rule")));
        assert!(AttributePath::root().parent().is_root());
        assert_eq!(AttributePath::from("x"), AttributePath::new("x"));
    }

    #[test]
    fn path_proto_round_trip() {
        let p = AttributePath::new("env")
            .key("FOO")
            .index(-1)
            .attribute("x");
        let proto = p.to_proto();
        assert_eq!(proto.steps.len(), 4);
        assert_eq!(AttributePath::from_proto(&proto), p);
    }

    #[test]
    fn diagnostics_collect() {
        let mut d = Diagnostics::new();
        assert!(d.is_empty());
        assert!(!d.has_errors());
        d.warning("w", "careful");
        assert!(!d.has_errors());
        d.attribute_error(AttributePath::new("name"), "Bad", "name is bad");
        d.attribute_warning(AttributePath::new("x"), "Hmm", "");
        assert!(d.has_errors());
        assert_eq!(d.len(), 3);
        assert_eq!(d.errors().count(), 1);
        let mut other: Diagnostics = Diagnostic::error("e", "").into();
        other.extend(d.clone());
        assert_eq!(other.len(), 4);
        assert_eq!(
            d.to_string(),
            "Warning: w: careful\nError: Bad (at name): name is bad\nWarning: Hmm (at x)"
        );
        let v = d.into_vec();
        assert_eq!(v[1].attribute, Some(AttributePath::new("name")));
    }

    #[test]
    fn diagnostics_to_proto() {
        let mut d = Diagnostics::new();
        d.error("E", "detail");
        d.attribute_warning(AttributePath::new("a").index(1), "W", "d2");
        let p = d.to_proto();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].severity, tfplugin6::diagnostic::Severity::Error as i32);
        assert_eq!(p[0].summary, "E");
        assert_eq!(p[0].detail, "detail");
        assert!(p[0].attribute.is_none());
        assert_eq!(
            p[1].severity,
            tfplugin6::diagnostic::Severity::Warning as i32
        );
        assert_eq!(
            AttributePath::from_proto(p[1].attribute.as_ref().unwrap()),
            AttributePath::new("a").index(1)
        );
    }
}
