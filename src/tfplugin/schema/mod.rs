//! Resource, data source and provider schemas: what attributes and blocks exist, their types,
//! how they behave in configuration (required, optional, computed), how they behave in plans
//! (defaults, replacement, keeping prior state), and how their values are validated.
//!
//! Schemas are built with builders:
//!
//! ```ignore
//! Schema::new(Block::new()
//!     .with_attribute(Attribute::string("id").computed().use_state_for_unknown())
//!     .with_attribute(Attribute::string("name").required().requires_replace())
//!     .with_attribute(Attribute::int64("replicas").optional().computed().default(Value::int(1))))
//! ```

use std::fmt;
use std::sync::Arc;

use super::cty::{Type, Value};
use super::diag::{AttributePath, Diagnostics};
use super::proto::tfplugin6;

/// A schema: a versioned root block. The version is the state version for resources.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    /// A version-0 schema with the given root block.
    pub fn new(block: Block) -> Schema {
        Schema { version: 0, block }
    }

    /// A version-0 schema whose root block has just these attributes.
    pub fn from_attributes(attributes: Vec<Attribute>) -> Schema {
        Schema::new(Block {
            attributes,
            ..Block::default()
        })
    }

    /// Sets the schema (state) version.
    pub fn version(mut self, version: i64) -> Schema {
        self.version = version;
        self
    }

    /// Sets the root block's description (markdown).
    pub fn description(mut self, description: impl Into<String>) -> Schema {
        self.block.description = description.into();
        self
    }

    /// The cty object type of values conforming to this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    /// A top-level attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.attribute(name)
    }

    /// A top-level nested block by name.
    pub fn nested_block(&self, name: &str) -> Option<&NestedBlock> {
        self.block.nested_block(name)
    }

    /// The attribute a path leads to (through nested attributes and blocks), if any.
    pub fn find_path(&self, path: &AttributePath) -> Option<&Attribute> {
        self.block.find_path(path)
    }

    /// An object with every top-level attribute and block null.
    pub fn null_object(&self) -> Value {
        self.block.null_object()
    }

    pub fn to_proto(&self) -> tfplugin6::Schema {
        tfplugin6::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }

    /// Checks the schema definition itself for mistakes (a provider bug, not a user error):
    /// attributes that are neither required, optional nor computed; defaults on attributes that
    /// are not computed; write-only attributes that are computed or have defaults; keeping
    /// prior state under lists or sets; duplicate names. Meant for the provider's own tests.
    pub fn validate_definition(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_block(&self.block, &AttributePath::root(), false, &mut diags);
        diags
    }
}

/// A block: attributes and nested blocks. The root of every schema is a block.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Markdown.
    pub description: String,
    pub deprecated: bool,
}

impl Block {
    pub fn new() -> Block {
        Block::default()
    }

    pub fn from_attributes(attributes: Vec<Attribute>) -> Block {
        Block {
            attributes,
            ..Block::default()
        }
    }

    pub fn with_attribute(mut self, attribute: Attribute) -> Block {
        self.attributes.push(attribute);
        self
    }

    pub fn with_block(mut self, block: NestedBlock) -> Block {
        self.blocks.push(block);
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Block {
        self.description = description.into();
        self
    }

    pub fn deprecated(mut self) -> Block {
        self.deprecated = true;
        self
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn nested_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The object type of this block's values.
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.value_type()))
                .chain(self.blocks.iter().map(|b| (b.name.clone(), b.value_type()))),
        )
    }

    /// An object with every attribute and nested block null.
    pub fn null_object(&self) -> Value {
        Value::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null))
                .chain(self.blocks.iter().map(|b| (b.name.clone(), Value::Null))),
        )
    }

    /// The attribute a path leads to. Index and key steps are accepted where the path crosses
    /// a list, set or map (of nested attributes or blocks); a path that ends at a block, or
    /// goes inside an attribute of plain cty type, gives `None`.
    pub fn find_path(&self, path: &AttributePath) -> Option<&Attribute> {
        use super::diag::PathStep;
        let steps = path.steps();
        let (first, mut rest) = steps.split_first()?;
        let PathStep::Attribute(name) = first else {
            return None;
        };
        // Skips one element step if the container is a collection.
        fn skip_element(rest: &[PathStep], collection: bool) -> Option<&[PathStep]> {
            match rest.first() {
                Some(PathStep::Index(_)) | Some(PathStep::Key(_)) if collection => Some(&rest[1..]),
                Some(PathStep::Index(_)) | Some(PathStep::Key(_)) => None,
                _ => Some(rest),
            }
        }
        if let Some(attr) = self.attribute(name) {
            let mut attr = attr;
            loop {
                if rest.is_empty() {
                    return Some(attr);
                }
                let AttributeType::Nested(n) = &attr.ty else {
                    return None;
                };
                rest = skip_element(rest, n.nesting != NestingMode::Single)?;
                let (next, r) = rest.split_first()?;
                let PathStep::Attribute(next) = next else {
                    return None;
                };
                attr = n.attributes.iter().find(|a| &a.name == next)?;
                rest = r;
            }
        }
        let block = self.nested_block(name)?;
        let collection = !matches!(block.nesting, BlockNesting::Single | BlockNesting::Group);
        let rest = skip_element(rest, collection)?;
        block.block.find_path(&AttributePath(rest.to_vec()))
    }

    pub fn to_proto(&self) -> tfplugin6::schema::Block {
        tfplugin6::schema::Block {
            version: 0,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self.blocks.iter().map(NestedBlock::to_proto).collect(),
            description: self.description.clone(),
            description_kind: tfplugin6::StringKind::Markdown as i32,
            deprecated: self.deprecated,
        }
    }
}

/// How a nested block may repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockNesting {
    /// At most one block; its value is an object (null when absent).
    Single,
    /// Any number of blocks, ordered: a list of objects.
    List,
    /// Any number of blocks, unordered: a set of objects.
    Set,
    /// Blocks with one label each: a map of objects keyed by label.
    Map,
    /// Exactly one block, that may be omitted (then its attributes are all null): an object.
    Group,
}

/// A block inside a block.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: BlockNesting,
    pub block: Block,
    /// 0 means no minimum.
    pub min_items: i64,
    /// 0 means no maximum.
    pub max_items: i64,
}

impl NestedBlock {
    pub fn new(name: impl Into<String>, nesting: BlockNesting, block: Block) -> NestedBlock {
        NestedBlock {
            name: name.into(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
        }
    }
    pub fn single(name: impl Into<String>, block: Block) -> NestedBlock {
        NestedBlock::new(name, BlockNesting::Single, block)
    }
    pub fn list(name: impl Into<String>, block: Block) -> NestedBlock {
        NestedBlock::new(name, BlockNesting::List, block)
    }
    pub fn set(name: impl Into<String>, block: Block) -> NestedBlock {
        NestedBlock::new(name, BlockNesting::Set, block)
    }
    pub fn map(name: impl Into<String>, block: Block) -> NestedBlock {
        NestedBlock::new(name, BlockNesting::Map, block)
    }
    pub fn group(name: impl Into<String>, block: Block) -> NestedBlock {
        NestedBlock::new(name, BlockNesting::Group, block)
    }
    pub fn min_items(mut self, n: i64) -> NestedBlock {
        self.min_items = n;
        self
    }
    pub fn max_items(mut self, n: i64) -> NestedBlock {
        self.max_items = n;
        self
    }

    /// The cty type of this block's value within its parent object.
    pub fn value_type(&self) -> Type {
        let obj = self.block.value_type();
        match self.nesting {
            BlockNesting::Single | BlockNesting::Group => obj,
            BlockNesting::List => Type::list(obj),
            BlockNesting::Set => Type::set(obj),
            BlockNesting::Map => Type::map(obj),
        }
    }

    pub fn to_proto(&self) -> tfplugin6::schema::NestedBlock {
        use tfplugin6::schema::nested_block::NestingMode as P;
        let nesting = match self.nesting {
            BlockNesting::Single => P::Single,
            BlockNesting::List => P::List,
            BlockNesting::Set => P::Set,
            BlockNesting::Map => P::Map,
            BlockNesting::Group => P::Group,
        };
        tfplugin6::schema::NestedBlock {
            type_name: self.name.clone(),
            block: Some(self.block.to_proto()),
            nesting: nesting as i32,
            min_items: self.min_items,
            max_items: self.max_items,
        }
    }
}

/// How nested attributes repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NestingMode {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// The attributes of an attribute whose value is an object, or a collection of objects.
#[derive(Clone, Debug)]
pub struct NestedAttributes {
    pub nesting: NestingMode,
    pub attributes: Vec<Attribute>,
}

impl NestedAttributes {
    pub fn single(attributes: Vec<Attribute>) -> NestedAttributes {
        NestedAttributes {
            nesting: NestingMode::Single,
            attributes,
        }
    }
    pub fn list(attributes: Vec<Attribute>) -> NestedAttributes {
        NestedAttributes {
            nesting: NestingMode::List,
            attributes,
        }
    }
    pub fn set(attributes: Vec<Attribute>) -> NestedAttributes {
        NestedAttributes {
            nesting: NestingMode::Set,
            attributes,
        }
    }
    pub fn map(attributes: Vec<Attribute>) -> NestedAttributes {
        NestedAttributes {
            nesting: NestingMode::Map,
            attributes,
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type of one element.
    pub fn object_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.value_type())),
        )
    }

    /// The type of the whole attribute value.
    pub fn value_type(&self) -> Type {
        let obj = self.object_type();
        match self.nesting {
            NestingMode::Single => obj,
            NestingMode::List => Type::list(obj),
            NestingMode::Set => Type::set(obj),
            NestingMode::Map => Type::map(obj),
        }
    }

    pub fn to_proto(&self) -> tfplugin6::schema::Object {
        use tfplugin6::schema::object::NestingMode as P;
        let nesting = match self.nesting {
            NestingMode::Single => P::Single,
            NestingMode::List => P::List,
            NestingMode::Set => P::Set,
            NestingMode::Map => P::Map,
        };
        tfplugin6::schema::Object {
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            nesting: nesting as i32,
            ..Default::default()
        }
    }
}

/// What an attribute holds: a value of a cty type, or nested attributes.
#[derive(Clone, Debug)]
pub enum AttributeType {
    Cty(Type),
    Nested(NestedAttributes),
}

/// A predicate deciding, for an attribute whose planned value differs from its prior state,
/// whether the change needs the resource replaced. Arguments: prior value, planned value.
pub type ReplaceIf = Arc<dyn Fn(&Value, &Value) -> bool + Send + Sync>;

/// One attribute of a block (or of a nested attributes object).
#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    /// Markdown.
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (when not configured, if also optional).
    pub computed: bool,
    /// Hidden in plan output and logs.
    pub sensitive: bool,
    /// Only in configuration: never stored in plan or state (ephemeral values allowed).
    pub write_only: bool,
    pub deprecated: bool,
    /// What to use instead; shown as a warning when the attribute is configured.
    pub deprecation_message: String,
    /// A planned change of this attribute's value replaces the resource.
    pub requires_replace: bool,
    /// Replace the resource when the value changes and this predicate says so.
    pub requires_replace_if: Option<ReplaceIf>,
    /// When the value is not configured, plan the prior state's value instead of unknown.
    pub use_state_for_unknown: bool,
    /// Planned when the configuration has no value (the attribute must be optional+computed).
    pub default: Option<Value>,
    /// Checks on configured values.
    pub validators: Vec<Arc<dyn Validator>>,
}

impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("required", &self.required)
            .field("optional", &self.optional)
            .field("computed", &self.computed)
            .field("sensitive", &self.sensitive)
            .field("write_only", &self.write_only)
            .field("deprecated", &self.deprecated)
            .field("requires_replace", &self.requires_replace)
            .field("requires_replace_if", &self.requires_replace_if.is_some())
            .field("use_state_for_unknown", &self.use_state_for_unknown)
            .field("default", &self.default)
            .field(
                "validators",
                &self
                    .validators
                    .iter()
                    .map(|v| v.description())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Builder methods that each set the flag of their name.
macro_rules! flag_setters {
    ($($flag:ident),* $(,)?) => {$(
        pub fn $flag(mut self) -> Self {
            self.$flag = true;
            self
        }
    )*};
}

impl Attribute {
    /// An attribute of the given cty type. Mark it `.required()`, `.optional()` and/or
    /// `.computed()`.
    pub fn new(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute::with_type(name, AttributeType::Cty(ty))
    }

    fn with_type(name: impl Into<String>, ty: AttributeType) -> Attribute {
        Attribute {
            name: name.into(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            deprecation_message: String::new(),
            requires_replace: false,
            requires_replace_if: None,
            use_state_for_unknown: false,
            default: None,
            validators: Vec::new(),
        }
    }

    pub fn string(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::String)
    }
    /// A number meant to hold whole numbers (use `validators::int_between` to enforce ranges).
    pub fn int64(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Number)
    }
    pub fn number(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Number)
    }
    pub fn bool(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Bool)
    }
    /// Any type, decided per value.
    pub fn dynamic(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Dynamic)
    }
    /// A map whose elements have type `element`.
    pub fn map(name: impl Into<String>, element: Type) -> Attribute {
        Attribute::new(name, Type::map(element))
    }
    /// A list whose elements have type `element`.
    pub fn list(name: impl Into<String>, element: Type) -> Attribute {
        Attribute::new(name, Type::list(element))
    }
    /// A set whose elements have type `element`.
    pub fn set(name: impl Into<String>, element: Type) -> Attribute {
        Attribute::new(name, Type::set(element))
    }
    /// An attribute holding an object or a collection of objects with their own attributes.
    pub fn nested(name: impl Into<String>, nested: NestedAttributes) -> Attribute {
        Attribute::with_type(name, AttributeType::Nested(nested))
    }

    flag_setters!(
        required,
        optional,
        computed,
        sensitive,
        write_only,
        requires_replace,
        use_state_for_unknown,
    );
    pub fn description(mut self, description: impl Into<String>) -> Attribute {
        self.description = description.into();
        self
    }
    /// Marks the attribute deprecated; `message` tells practitioners what to do instead.
    pub fn deprecated(mut self, message: impl Into<String>) -> Attribute {
        self.deprecated = true;
        self.deprecation_message = message.into();
        self
    }
    /// Replace when the value changes and `f(prior, planned)` returns true.
    pub fn requires_replace_if(
        mut self,
        f: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Attribute {
        self.requires_replace_if = Some(Arc::new(f));
        self
    }
    /// The value planned when the configuration leaves the attribute null. The attribute must
    /// be optional and computed.
    pub fn default(mut self, value: Value) -> Attribute {
        self.default = Some(value);
        self
    }
    pub fn validator(mut self, v: impl Validator + 'static) -> Attribute {
        self.validators.push(Arc::new(v));
        self
    }
    pub fn validator_arc(mut self, v: Arc<dyn Validator>) -> Attribute {
        self.validators.push(v);
        self
    }

    /// The nested attributes, if this is a nested attribute.
    pub fn nested_attributes(&self) -> Option<&NestedAttributes> {
        match &self.ty {
            AttributeType::Nested(n) => Some(n),
            AttributeType::Cty(_) => None,
        }
    }

    /// The cty type of this attribute's value.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Cty(t) => t.clone(),
            AttributeType::Nested(n) => n.value_type(),
        }
    }

    /// The description sent to Terraform: the description, plus the deprecation message.
    pub fn full_description(&self) -> String {
        if self.deprecated && !self.deprecation_message.is_empty() {
            if self.description.is_empty() {
                format!("**Deprecated**: {}", self.deprecation_message)
            } else {
                format!(
                    "{}\n\n**Deprecated**: {}",
                    self.description, self.deprecation_message
                )
            }
        } else {
            self.description.clone()
        }
    }

    pub fn to_proto(&self) -> tfplugin6::schema::Attribute {
        let (ty, nested_type) = match &self.ty {
            AttributeType::Cty(t) => (super::cty::json::type_to_json(t), None),
            AttributeType::Nested(n) => (Vec::new(), Some(n.to_proto())),
        };
        tfplugin6::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type,
            description: self.full_description(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: tfplugin6::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            write_only: self.write_only,
        }
    }
}

fn check_block(
    block: &Block,
    path: &AttributePath,
    under_collection: bool,
    diags: &mut Diagnostics,
) {
    let mut names = std::collections::BTreeSet::new();
    for a in &block.attributes {
        let p = path.clone().attribute(&a.name);
        check_unique(&mut names, &a.name, &p, diags);
        check_attribute(a, &p, under_collection, diags);
    }
    for b in &block.blocks {
        let p = path.clone().attribute(&b.name);
        check_unique(&mut names, &b.name, &p, diags);
        let collection = matches!(b.nesting, BlockNesting::List | BlockNesting::Set);
        check_block(&b.block, &p, under_collection || collection, diags);
    }
}

/// Adds `name` to the names defined at one level, with an error if it is there already.
fn check_unique<'n>(
    names: &mut std::collections::BTreeSet<&'n str>,
    name: &'n str,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if !names.insert(name) {
        diags.attribute_error(
            path.clone(),
            "Duplicate Schema Name",
            format!("The name {name:?} is defined more than once."),
        );
    }
}

fn check_attribute(
    a: &Attribute,
    path: &AttributePath,
    under_collection: bool,
    diags: &mut Diagnostics,
) {
    let mut bad = |msg: &str| {
        diags.attribute_error(
            path.clone(),
            "Invalid Schema Definition",
            format!("Attribute {path}: {msg}. This is a bug in the provider."),
        )
    };
    if !a.required && !a.optional && !a.computed {
        bad("must be required, optional or computed");
    }
    if a.required && (a.optional || a.computed) {
        bad("a required attribute cannot also be optional or computed");
    }
    if a.default.is_some() && !a.computed {
        bad("an attribute with a default must be computed (and optional)");
    }
    if a.default.as_ref().is_some_and(Value::is_unknown) {
        bad("a default cannot be unknown");
    }
    if a.write_only {
        if a.computed {
            bad("a write-only attribute cannot be computed");
        }
        if a.default.is_some() {
            bad("a write-only attribute cannot have a default");
        }
        if a.use_state_for_unknown {
            bad("a write-only attribute has no state to keep");
        }
    }
    if a.use_state_for_unknown && under_collection {
        bad("keeping the prior state for unknown values is not supported under a list or set, whose elements cannot be matched reliably");
    }
    if let AttributeType::Nested(n) = &a.ty {
        if n.attributes.is_empty() {
            bad("nested attributes must define at least one attribute");
        }
        let collection = matches!(n.nesting, NestingMode::List | NestingMode::Set);
        let mut names = std::collections::BTreeSet::new();
        for na in &n.attributes {
            let p = path.clone().attribute(&na.name);
            check_unique(&mut names, &na.name, &p, diags);
            if n.nesting == NestingMode::Set && na.write_only {
                diags.attribute_error(
                    p.clone(),
                    "Invalid Schema Definition",
                    format!("Attribute {p}: write-only attributes are not supported in sets. This is a bug in the provider."),
                );
            }
            check_attribute(na, &p, under_collection || collection, diags);
        }
    }
}

/// A check on a configured value. Validators are called only for values that are known and
/// not null; collections may still contain unknown elements.
pub trait Validator: Send + Sync {
    /// What a valid value looks like, in plain words ("value must be one of ...").
    fn description(&self) -> String;
    /// Adds diagnostics (naming `path`) when `value` is invalid.
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics);
}

/// Common validators. For a list, set or map attribute, the primitive validators (`one_of`,
/// `string_length`, `matches`, `int_between`) check each known, non-null element.
pub mod validators {
    use super::Validator;
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::diag::{AttributePath, Diagnostics};

    /// Calls `f` for the value itself or, for collections, each known non-null element.
    fn each_element(
        value: &Value,
        path: &AttributePath,
        f: &mut dyn FnMut(&Value, &AttributePath),
    ) {
        match value {
            Value::Null | Value::Unknown => {}
            Value::List(v) => {
                for (i, e) in v.iter().enumerate() {
                    each_element(e, &path.clone().index(i as i64), f);
                }
            }
            // Set elements cannot be addressed; diagnostics name the set.
            Value::Set(v) => {
                for e in v {
                    each_element(e, path, f);
                }
            }
            Value::Map(m) => {
                for (k, e) in m {
                    each_element(e, &path.clone().key(k.clone()), f);
                }
            }
            Value::Dynamic(_, v) => each_element(v, path, f),
            v => f(v, path),
        }
    }

    fn quote_list(values: &[String]) -> String {
        values
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The string must be one of `allowed`.
    pub struct OneOf {
        allowed: Vec<String>,
    }

    pub fn one_of(allowed: &[&str]) -> OneOf {
        OneOf {
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }

    impl Validator for OneOf {
        fn description(&self) -> String {
            format!("value must be one of: {}", quote_list(&self.allowed))
        }
        fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
            each_element(value, path, &mut |v, p| {
                let Some(s) = v.as_str() else { return };
                if !self.allowed.iter().any(|a| a == s) {
                    diags.attribute_error(
                        p.clone(),
                        "Invalid Attribute Value",
                        format!(
                            "Attribute {p} is {s:?}, which is not an accepted value. \
                             Set it to one of: {}.",
                            quote_list(&self.allowed)
                        ),
                    );
                }
            });
        }
    }

    /// The string's length, in characters, must be within `min..=max`.
    pub struct StringLength {
        min: usize,
        max: usize,
    }

    /// Length in characters between `min` and `max` inclusive (`usize::MAX` for no maximum).
    pub fn string_length(min: usize, max: usize) -> StringLength {
        StringLength { min, max }
    }

    impl StringLength {
        fn bounds(&self) -> String {
            if self.max == usize::MAX {
                format!("at least {}", self.min)
            } else if self.min == self.max {
                format!("exactly {}", self.min)
            } else {
                format!("between {} and {}", self.min, self.max)
            }
        }
    }

    impl Validator for StringLength {
        fn description(&self) -> String {
            format!("string length must be {} characters", self.bounds())
        }
        fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
            each_element(value, path, &mut |v, p| {
                let Some(s) = v.as_str() else { return };
                let n = s.chars().count();
                if n < self.min || n > self.max {
                    diags.attribute_error(
                        p.clone(),
                        "Invalid Attribute Value Length",
                        format!(
                            "Attribute {p} is {n} characters long, but it must be {} characters. \
                             Change its value to fit.",
                            self.bounds()
                        ),
                    );
                }
            });
        }
    }

    /// The number must be a whole number within `min..=max`.
    pub struct IntBetween {
        min: i64,
        max: i64,
    }

    pub fn int_between(min: i64, max: i64) -> IntBetween {
        IntBetween { min, max }
    }

    impl Validator for IntBetween {
        fn description(&self) -> String {
            format!(
                "value must be a whole number between {} and {}",
                self.min, self.max
            )
        }
        fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
            each_element(value, path, &mut |v, p| {
                let Value::Number(n) = v else { return };
                match n.as_i64() {
                    Some(i) if i >= self.min && i <= self.max => {}
                    Some(i) => diags.attribute_error(
                        p.clone(),
                        "Invalid Attribute Value",
                        format!(
                            "Attribute {p} is {i}, which is out of range. \
                             Set it to a whole number between {} and {}.",
                            self.min, self.max
                        ),
                    ),
                    None => diags.attribute_error(
                        p.clone(),
                        "Invalid Attribute Value",
                        format!(
                            "Attribute {p} is {n}, which is not a whole number. \
                             Set it to a whole number between {} and {}.",
                            self.min, self.max
                        ),
                    ),
                }
            });
        }
    }

    /// The string must satisfy a predicate; `description` says what is expected.
    pub struct Matches {
        description: String,
        pred: Box<dyn Fn(&str) -> bool + Send + Sync>,
    }

    /// `description` completes "value must ...", e.g. "be a lowercase DNS label".
    pub fn matches(
        description: impl Into<String>,
        pred: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Matches {
        Matches {
            description: description.into(),
            pred: Box::new(pred),
        }
    }

    impl Validator for Matches {
        fn description(&self) -> String {
            format!("value must {}", self.description)
        }
        fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
            each_element(value, path, &mut |v, p| {
                let Some(s) = v.as_str() else { return };
                if !(self.pred)(s) {
                    diags.attribute_error(
                        p.clone(),
                        "Invalid Attribute Value Match",
                        format!(
                            "Attribute {p} is {s:?}, but its value must {}. Change it accordingly.",
                            self.description
                        ),
                    );
                }
            });
        }
    }

    type CustomFn = dyn Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync;

    /// A validator from a closure, which adds its own diagnostics.
    pub struct Custom {
        description: String,
        f: Box<CustomFn>,
    }

    pub fn custom(
        f: impl Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync + 'static,
    ) -> Custom {
        custom_described("custom validation", f)
    }

    pub fn custom_described(
        description: impl Into<String>,
        f: impl Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync + 'static,
    ) -> Custom {
        Custom {
            description: description.into(),
            f: Box::new(f),
        }
    }

    impl Validator for Custom {
        fn description(&self) -> String {
            self.description.clone()
        }
        fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
            (self.f)(value, path, diags)
        }
    }
}

#[cfg(test)]
mod tests;
