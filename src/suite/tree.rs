//! The suite file as the parser saw it: every mapping, sequence and scalar with its span,
//! for pointing an error at the very node it is about. Read from the parser's own span
//! events (serde-saphyr's `Spanned`), only when an error needs a position.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::Source;

/// One YAML node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A scalar (string, number, boolean, null), as text.
    Scalar(String),
    /// A sequence.
    Seq(Vec<Spanned<Node>>),
    /// A mapping, in written order.
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

/// A parsed file: its root node and its text (to place a part of a scalar).
pub(crate) struct Tree<'t> {
    root: Option<Spanned<Node>>,
    file: &'t str,
    text: &'t str,
}

impl<'t> Tree<'t> {
    /// Parses `text` again as plain nodes; a text that does not parse has no nodes (then
    /// every lookup falls back to the position it was given).
    pub(crate) fn parse(file: &'t str, text: &'t str) -> Self {
        Tree {
            root: serde_saphyr::from_str(text).ok(),
            file,
            text,
        }
    }

    fn source(&self, at: &Location) -> Source {
        Source {
            file: self.file.to_string(),
            line: at.line(),
            column: at.column(),
        }
    }

    /// The node written at `at` (a mapping or sequence a `Spanned` value was read from).
    pub(crate) fn node_at(&self, at: &Source) -> Option<&Spanned<Node>> {
        fn find(n: &Spanned<Node>, line: u64, column: u64) -> Option<&Spanned<Node>> {
            if n.referenced.line() == line && n.referenced.column() == column {
                return Some(n);
            }
            match &n.value {
                Node::Scalar(_) => None,
                Node::Seq(items) => items.iter().find_map(|i| find(i, line, column)),
                Node::Map(entries) => entries.iter().find_map(|(_, v)| find(v, line, column)),
            }
        }
        find(self.root.as_ref()?, at.line, at.column)
    }

    /// The root mapping's key `key`.
    pub(crate) fn root_key(&self, key: &str) -> Option<Source> {
        let root = self.root.as_ref()?;
        key_of(root, key).map(|(k, _)| self.source(&k.referenced))
    }

    /// Where `key` is written in the mapping at `map`, and its value.
    pub(crate) fn key_in<'n>(
        &self,
        map: &'n Spanned<Node>,
        key: &str,
    ) -> Option<(Source, &'n Spanned<Node>)> {
        key_of(map, key).map(|(k, v)| (self.source(&k.referenced), v))
    }

    /// Where the value of `key` in the mapping at `map` is written.
    pub(crate) fn value_in(&self, map: &Spanned<Node>, key: &str) -> Option<Source> {
        key_of(map, key).map(|(_, v)| self.source(&v.referenced))
    }

    /// Where `needle` is written inside the first scalar under `node` that contains it (the
    /// scalar's start when its raw text cannot be placed); mapping keys count as scalars.
    pub(crate) fn scalar_containing(&self, node: &Spanned<Node>, needle: &str) -> Option<Source> {
        match &node.value {
            Node::Scalar(s) if s.contains(needle) => Some(self.within(&node.referenced, needle)),
            Node::Scalar(_) => None,
            Node::Seq(items) => items.iter().find_map(|i| self.scalar_containing(i, needle)),
            Node::Map(entries) => entries.iter().find_map(|(k, v)| {
                if k.value.contains(needle) {
                    return Some(self.within(&k.referenced, needle));
                }
                self.scalar_containing(v, needle)
            }),
        }
    }

    /// The position of `needle` inside the scalar token starting at `at` (its raw text, as
    /// the parser delimited it, quotes included), or `at` itself.
    fn within(&self, at: &Location, needle: &str) -> Source {
        let span = at.span();
        let raw = span
            .byte_offset()
            .zip(span.byte_len())
            .and_then(|(start, len)| self.text.get(start as usize..(start + len) as usize));
        let mut source = self.source(at);
        if let Some(i) = raw.and_then(|raw| raw.find(needle)) {
            let before = &raw.unwrap_or_default()[..i];
            if !before.contains('\n') {
                source.column += before.chars().count() as u64;
            }
        }
        source
    }

    /// The key whose value starts at `line:column` (`replicas` in `replicas: many`).
    pub(crate) fn key_of_value_at(&self, line: u64, column: u64) -> Option<String> {
        fn find(n: &Spanned<Node>, line: u64, column: u64) -> Option<String> {
            match &n.value {
                Node::Scalar(_) => None,
                Node::Seq(items) => items.iter().find_map(|i| find(i, line, column)),
                Node::Map(entries) => entries.iter().find_map(|(k, v)| {
                    if v.referenced.line() == line && v.referenced.column() == column {
                        return Some(k.value.clone());
                    }
                    find(v, line, column)
                }),
            }
        }
        find(self.root.as_ref()?, line, column)
    }
}

fn key_of<'n>(
    map: &'n Spanned<Node>,
    key: &str,
) -> Option<(&'n Spanned<String>, &'n Spanned<Node>)> {
    match &map.value {
        Node::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(k, v)| (k, v)),
        _ => None,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(String::new()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(String::new()))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Node>>()? {
            let text = match key.value {
                Node::Scalar(s) => s,
                _ => String::new(),
            };
            let key = Spanned::new(text, key.referenced, key.defined);
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_keys_values_and_parts_of_scalars() {
        let text = "cases:\n  - name: a\n    steps:\n      - deploy: {name: \"fn-${rnu}\", image: i}\n        retry:\n          timeout: 3x\n";
        let tree = Tree::parse("t.yaml", text);
        let cases = tree.root_key("cases").unwrap();
        assert_eq!((cases.line, cases.column), (1, 1));
        let step_at = Source {
            file: "t.yaml".into(),
            line: 4,
            column: 9,
        };
        let step = tree.node_at(&step_at).expect("the step's mapping");
        let (deploy_key, deploy) = tree.key_in(step, "deploy").unwrap();
        assert_eq!((deploy_key.line, deploy_key.column), (4, 9));
        let name = tree.scalar_containing(deploy, "${rnu}").unwrap();
        assert_eq!((name.line, name.column), (4, 28));
        let (_, retry) = tree.key_in(step, "retry").unwrap();
        let timeout = tree.value_in(retry, "timeout").unwrap();
        assert_eq!((timeout.line, timeout.column), (6, 20));
        assert_eq!(tree.key_of_value_at(6, 20).as_deref(), Some("timeout"));
    }
}
