//! Registry-format documentation rendered from a provider's schemas and its examples.
//!
//! Layout (what the Terraform Registry reads): `index.md`, `resources/<name>.md`,
//! `data-sources/<name>.md`, `ephemeral-resources/<name>.md`, `list-resources/<name>.md`,
//! `actions/<name>.md`, where `<name>` is the type name without the provider prefix. Examples come from
//! `examples/provider/provider.tf`, `examples/resources/<type>/resource.tf` (+ `import.sh` and
//! `import-by-identity.tf`), `examples/data-sources/<type>/data-source.tf`,
//! `examples/ephemeral-resources/<type>/ephemeral-resource.tf`,
//! `examples/list-resources/<type>/list-resource.tfquery.hcl` and
//! `examples/actions/<type>/action.tf`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::cty::Type;
use super::resource::{IdentitySchema, Provider};
use super::schema::{Attribute, AttributeType, Block, BlockNesting, NestingMode, Schema};

/// Renders every page; keys are paths relative to the docs directory.
pub fn render<P: Provider>(
    provider: &P,
    provider_name: &str,
    examples: &Path,
) -> BTreeMap<PathBuf, String> {
    let mut pages = BTreeMap::new();
    pages.insert(
        PathBuf::from("index.md"),
        render_index(provider.schema(), provider_name, examples),
    );
    let prefix = format!("{provider_name}_");
    let resources = provider.resources();
    let data_sources = provider.data_sources();
    let list_resources = provider.list_resources();
    let ephemeral_resources = provider.ephemeral_resources();
    let actions = provider.actions();
    // Every kind's pages are built alike, from what `PageKind` says; only resources have an
    // identity (and import examples). One line a kind, as a table reads.
    #[rustfmt::skip]
    let entries = resources.iter().map(|r| (&RESOURCE, r.type_name(), r.schema(), r.identity()))
        .chain(data_sources.iter().map(|d| (&DATA_SOURCE, d.type_name(), d.schema(), None)))
        .chain(list_resources.iter().map(|l| (&LIST_RESOURCE, l.type_name(), l.schema(), None)))
        .chain(ephemeral_resources.iter().map(|e| (&EPHEMERAL, e.type_name(), e.schema(), None)))
        .chain(actions.iter().map(|a| (&ACTION, a.type_name(), a.schema(), None)));
    for (kind, name, schema, identity) in entries {
        let short = name.strip_prefix(&prefix).unwrap_or(name);
        let dir = examples.join(kind.folder).join(name);
        let mut page = Page::new(name, kind.title, schema);
        page.example = read(&dir.join(kind.example));
        page.example_language = kind.example_language;
        if kind.imports {
            page.identity = identity;
            page.import = read(&dir.join("import.sh"));
            page.import_by_identity = read(&dir.join("import-by-identity.tf"));
        }
        pages.insert(
            PathBuf::from(format!("{}/{short}.md", kind.folder)),
            page.render(provider_name),
        );
    }
    pages
}

/// A kind of page other than the index: its folder (under the docs and under the examples),
/// its title, its example's file name and fence language, and whether it has import examples.
struct PageKind {
    folder: &'static str,
    title: &'static str,
    example: &'static str,
    example_language: &'static str,
    imports: bool,
}

impl PageKind {
    /// A kind with a Terraform example and no import examples.
    const fn new(folder: &'static str, title: &'static str, example: &'static str) -> PageKind {
        PageKind {
            folder,
            title,
            example,
            example_language: "terraform",
            imports: false,
        }
    }
}

const RESOURCE: PageKind = PageKind {
    imports: true,
    ..PageKind::new("resources", "Resource", "resource.tf")
};
const DATA_SOURCE: PageKind = PageKind::new("data-sources", "Data Source", "data-source.tf");
const LIST_RESOURCE: PageKind = PageKind {
    example_language: "hcl",
    ..PageKind::new(
        "list-resources",
        "List Resource",
        "list-resource.tfquery.hcl",
    )
};
const EPHEMERAL: PageKind = PageKind::new(
    "ephemeral-resources",
    "Ephemeral Resource",
    "ephemeral-resource.tf",
);
const ACTION: PageKind = PageKind::new("actions", "Action", "action.tf");

/// The kinds of pages that live in a folder of their own.
const PAGE_FOLDERS: [&str; 5] = [
    "resources",
    "data-sources",
    "ephemeral-resources",
    "list-resources",
    "actions",
];

/// Writes the pages under `dir`, removing stale pages of earlier renders.
pub fn write(dir: &Path, pages: &BTreeMap<PathBuf, String>) -> std::io::Result<()> {
    for sub in PAGE_FOLDERS {
        let d = dir.join(sub);
        if let Ok(entries) = std::fs::read_dir(&d) {
            for entry in entries.flatten() {
                let rel = PathBuf::from(sub).join(entry.file_name());
                if !pages.contains_key(&rel) {
                    std::fs::remove_file(entry.path())?;
                }
            }
        }
    }
    for (rel, text) in pages {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// Lists the pages under `dir` that differ from `pages`, or are missing, or are left over.
pub fn stale(dir: &Path, pages: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = pages
        .iter()
        .filter(|(rel, text)| read(&dir.join(rel)).as_deref() != Some(text.as_str()))
        .map(|(rel, _)| rel.clone())
        .collect();
    for sub in PAGE_FOLDERS {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for entry in entries.flatten() {
                let rel = PathBuf::from(sub).join(entry.file_name());
                if !pages.contains_key(&rel) {
                    out.push(rel);
                }
            }
        }
    }
    out
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or_default()
        .replace('\n', " ")
        .trim()
        .to_string()
}

fn front_matter(out: &mut String, title: &str, description: &str) {
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "page_title: \"{title}\"");
    let _ = writeln!(out, "subcategory: \"\"");
    let _ = writeln!(out, "description: |-");
    let _ = writeln!(out, "  {}", first_paragraph(description));
    let _ = writeln!(out, "---\n");
}

fn render_index(schema: &Schema, provider_name: &str, examples: &Path) -> String {
    let mut out = String::new();
    let title = format!("{provider_name} Provider");
    let example = read(&examples.join("provider/provider.tf"));
    render_opening(
        &mut out,
        &title,
        &title,
        &schema.block,
        example.as_deref(),
        "terraform",
    );
    out
}

/// What the index and every other page open with: front matter, heading, description, the
/// example (fenced as `language`) and the schema.
fn render_opening(
    out: &mut String,
    page_title: &str,
    heading: &str,
    block: &Block,
    example: Option<&str>,
    language: &str,
) {
    front_matter(out, page_title, &block.description);
    let _ = writeln!(out, "# {heading}\n");
    let _ = writeln!(out, "{}\n", block.description.trim());
    if let Some(example) = example {
        let _ = writeln!(
            out,
            "## Example Usage\n\n```{language}\n{}\n```\n",
            example.trim_end()
        );
    }
    render_schema(out, block);
}

/// One page of a resource, data source, list resource or action.
struct Page<'a> {
    type_name: &'a str,
    kind: &'a str,
    schema: &'a Schema,
    example: Option<String>,
    /// The code fence's language for the example.
    example_language: &'a str,
    identity: Option<&'a IdentitySchema>,
    import: Option<String>,
    import_by_identity: Option<String>,
}

impl<'a> Page<'a> {
    fn new(type_name: &'a str, kind: &'a str, schema: &'a Schema) -> Page<'a> {
        Page {
            type_name,
            kind,
            schema,
            example: None,
            example_language: "terraform",
            identity: None,
            import: None,
            import_by_identity: None,
        }
    }

    fn render(&self, provider_name: &str) -> String {
        let (type_name, kind, schema) = (self.type_name, self.kind, self.schema);
        let mut out = String::new();
        render_opening(
            &mut out,
            &format!("{type_name} {kind} - {provider_name}"),
            &format!("{type_name} ({kind})"),
            &schema.block,
            self.example.as_deref(),
            self.example_language,
        );
        if let Some(identity) = self.identity {
            render_identity(&mut out, identity);
        }
        if self.import.is_some() || self.import_by_identity.is_some() {
            let _ = writeln!(out, "## Import\n");
        }
        if let Some(by_identity) = &self.import_by_identity {
            let _ = writeln!(
                out,
                "In Terraform 1.12 and later, an `import` block can name the object by its \
                 identity:\n\n```terraform\n{}\n```\n",
                by_identity.trim_end()
            );
        }
        if let Some(import) = &self.import {
            let _ = writeln!(
                out,
                "Import is supported using the following syntax:\n\n```shell\n{}\n```",
                import.trim_end()
            );
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// The identity attributes, grouped as an `import { identity = {..} }` block takes them.
fn render_identity(out: &mut String, identity: &IdentitySchema) {
    let _ = writeln!(out, "### Identity Schema\n");
    for (title, required) in [("Required", true), ("Optional", false)] {
        let attributes: Vec<_> = identity
            .attributes
            .iter()
            .filter(|a| a.required_for_import == required)
            .collect();
        if attributes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "#### {title}\n");
        for a in attributes {
            let _ = writeln!(
                out,
                "- `{}` ({}) {}",
                a.name,
                cty_label(&a.ty),
                a.description.trim()
            );
        }
        let _ = writeln!(out);
    }
}

/// A nested object to document after the top-level lists.
struct Nested<'a> {
    anchor: String,
    title: String,
    attributes: &'a [Attribute],
    block: Option<&'a Block>,
}

fn render_schema(out: &mut String, block: &Block) {
    let _ = writeln!(out, "## Schema\n");
    let mut pending = Vec::new();
    render_lists(
        out,
        "",
        block.attributes.as_slice(),
        Some(block),
        &mut pending,
        true,
    );
    // Depth first, in declaration order: a nested schema's own nested schemas follow it.
    while !pending.is_empty() {
        let nested: Nested = pending.remove(0);
        let _ = writeln!(out, "<a id=\"{}\"></a>", nested.anchor);
        let _ = writeln!(out, "### Nested Schema for `{}`\n", nested.title);
        let mut more = Vec::new();
        render_lists(
            out,
            &nested.title,
            nested.attributes,
            nested.block,
            &mut more,
            false,
        );
        pending.splice(0..0, more);
    }
}

fn render_lists<'a>(
    out: &mut String,
    parent: &str,
    attributes: &'a [Attribute],
    block: Option<&'a Block>,
    pending: &mut Vec<Nested<'a>>,
    top: bool,
) {
    type Keep = fn(&Attribute) -> bool;
    let groups: [(&str, Keep); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, keep) in groups {
        let mut lines = Vec::new();
        for a in attributes.iter().filter(|a| keep(a)) {
            lines.push(attribute_line(parent, a, pending));
        }
        if title == "Optional" {
            if let Some(block) = block {
                for b in &block.blocks {
                    let anchor = anchor("nestedblock", parent, &b.name);
                    let title = path_join(parent, &b.name);
                    let kind = match b.nesting {
                        BlockNesting::Single | BlockNesting::Group => "Block".to_string(),
                        BlockNesting::List => "Block List".to_string(),
                        BlockNesting::Set => "Block Set".to_string(),
                        BlockNesting::Map => "Block Map".to_string(),
                    };
                    let desc = b.block.description.trim();
                    lines.push(format!(
                        "- `{}` ({kind}) {}{}(see [below for nested schema](#{anchor}))",
                        b.name,
                        desc,
                        if desc.is_empty() { "" } else { " " }
                    ));
                    pending.push(Nested {
                        anchor,
                        title,
                        attributes: b.block.attributes.as_slice(),
                        block: Some(&b.block),
                    });
                }
            }
        }
        if lines.is_empty() {
            continue;
        }
        if top {
            let _ = writeln!(out, "### {title}\n");
        } else {
            let _ = writeln!(out, "{title}:\n");
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
    }
}

fn attribute_line<'a>(parent: &str, a: &'a Attribute, pending: &mut Vec<Nested<'a>>) -> String {
    let mut flags = vec![type_label(&a.ty)];
    if a.sensitive {
        flags.push("Sensitive".into());
    }
    if a.write_only {
        flags.push("Write-only".into());
    }
    if a.deprecated {
        flags.push("Deprecated".into());
    }
    let mut line = format!("- `{}` ({})", a.name, flags.join(", "));
    let desc = a.full_description();
    if !desc.trim().is_empty() {
        line.push(' ');
        line.push_str(&desc.trim().replace('\n', " "));
    }
    if let AttributeType::Nested(nested) = &a.ty {
        let anchor = anchor("nestedatt", parent, &a.name);
        let _ = write!(line, " (see [below for nested schema](#{anchor}))");
        pending.push(Nested {
            anchor,
            title: path_join(parent, &a.name),
            attributes: nested.attributes.as_slice(),
            block: None,
        });
    }
    line
}

fn anchor(kind: &str, parent: &str, name: &str) -> String {
    format!("{kind}--{}", path_join(parent, name).replace('.', "--"))
}

fn path_join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn type_label(ty: &AttributeType) -> String {
    match ty {
        AttributeType::Cty(t) => cty_label(t),
        AttributeType::Nested(n) => match n.nesting {
            NestingMode::Single => "Attributes".into(),
            NestingMode::List => "Attributes List".into(),
            NestingMode::Set => "Attributes Set".into(),
            NestingMode::Map => "Attributes Map".into(),
        },
    }
}

fn cty_label(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", cty_label(e)),
        Type::Set(e) => format!("Set of {}", cty_label(e)),
        Type::Map(e) => format!("Map of {}", cty_label(e)),
        Type::Object { .. } => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::resource::IdentityAttribute;
    use crate::tfplugin::schema::{NestedAttributes, NestedBlock};

    #[test]
    fn page_lists_attributes_by_kind_and_nested_schemas() {
        let schema = Schema::new(
            Block::from_attributes(vec![
                Attribute::string("name")
                    .required()
                    .description("The name."),
                Attribute::map("env", Type::String).optional(),
                Attribute::string("secret")
                    .optional()
                    .sensitive()
                    .write_only(),
                Attribute::string("id").computed().description("ID."),
                Attribute::nested(
                    "records",
                    NestedAttributes::map(vec![Attribute::string("value").computed()]),
                )
                .computed(),
            ])
            .with_block(NestedBlock::single(
                "timeouts",
                Block::from_attributes(vec![Attribute::string("create").optional()]),
            ))
            .description("A thing.\n\n**Token scopes:** `x:write`."),
        );
        let mut page = Page::new("x_thing", "Resource", &schema);
        page.example = Some("resource \"x_thing\" \"a\" {}\n".into());
        page.import = Some("terraform import x_thing.a id\n".into());
        let identity = IdentitySchema::new(vec![
            IdentityAttribute::required("thing_id", "The thing's ID."),
            IdentityAttribute::optional("zone", "Its zone."),
        ]);
        page.identity = Some(&identity);
        page.import_by_identity = Some("import {\n  to = x_thing.a\n}\n".into());
        let page = page.render("x");
        assert!(page.starts_with("---\npage_title: \"x_thing Resource - x\""));
        assert!(page.contains("### Required\n\n- `name` (String) The name."));
        assert!(page.contains("- `env` (Map of String)"));
        assert!(page.contains("- `secret` (String, Sensitive, Write-only)"));
        assert!(page.contains("### Read-Only\n\n- `id` (String) ID."));
        assert!(page.contains("- `timeouts` (Block)"));
        assert!(page.contains("### Nested Schema for `records`"));
        assert!(page.contains("### Nested Schema for `timeouts`"));
        assert!(page.contains("**Token scopes:** `x:write`."));
        assert!(page.contains("## Import"));
        assert!(page.contains(
            "### Identity Schema\n\n#### Required\n\n- `thing_id` (String) The thing's ID.\n\n\
             #### Optional\n\n- `zone` (String) Its zone."
        ));
        assert!(page.contains("by its identity:\n\n```terraform\nimport {"));
        assert!(page.ends_with("```\n"));
    }
}
