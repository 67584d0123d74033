//! The protocol layer proven end to end: a small test-only provider (`acctest/testing`) is
//! driven by real Terraform through create, update in place, replace, import, drift and destroy.
//!
//! This file is its own test binary (harness = false). Launched by Terraform (the magic cookie
//! is set) it serves the provider; launched by cargo it runs the scenarios. Objects live in a
//! JSON file named by `TESTING_STORE`, since every Terraform command starts a new provider
//! process; tests edit that file to simulate out-of-band changes.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use comwit::tfplugin::cty::{Type, Value};
use comwit::tfplugin::diag::{Diagnostic, Diagnostics};
use comwit::tfplugin::resource::{ClientInfo, Ctx, DataSource, Provider, Resource};
use comwit::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};
use comwit::tfplugin::{cty, handshake, server};
use support::*;

const SOURCE: &str = "registry.terraform.io/acctest/testing";

// ---------------------------------------------------------------- the provider under test

/// The JSON file, read once per provider process (each Terraform command starts a new one,
/// so out-of-band edits between commands are seen) and written through on every change.
struct Store {
    path: PathBuf,
    cache: Mutex<Option<BTreeMap<String, serde_json::Value>>>,
}

impl Store {
    fn read_file(&self) -> BTreeMap<String, serde_json::Value> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
    fn get(&self, id: &str) -> Option<serde_json::Value> {
        self.with(id, serde_json::Value::clone)
    }
    /// `f` applied to the object stored under `id`, without copying it.
    fn with<R>(&self, id: &str, f: impl FnOnce(&serde_json::Value) -> R) -> Option<R> {
        let mut cache = self.cache.lock().unwrap();
        cache.get_or_insert_with(|| self.read_file()).get(id).map(f)
    }
    fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
    fn update<R>(&self, f: impl FnOnce(&mut BTreeMap<String, serde_json::Value>) -> R) -> R {
        let mut cache = self.cache.lock().unwrap();
        let all = cache.get_or_insert_with(|| self.read_file());
        let r = f(all);
        std::fs::write(&self.path, serde_json::to_vec_pretty(all).unwrap()).unwrap();
        r
    }
}

struct TestingProvider {
    schema: Schema,
    thing: Arc<Thing>,
    item: Arc<Item>,
}

/// The shape of Terraform's own `terraform_data` (id, input, output), so that the benchmark
/// compares like with like: the ratio then measures the provider, not the schema's size.
struct Item {
    schema: Schema,
    store: Arc<Store>,
}

fn item_schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("id").computed().use_state_for_unknown(),
            Attribute::string("input").optional(),
            Attribute::string("output").computed(),
        ])
        .description("A minimal object, shaped like terraform_data."),
    )
}

#[async_trait]
impl Resource for Item {
    fn type_name(&self) -> &str {
        "testing_item"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn create(&self, _: &mut Ctx, planned: &Value, _: &Value) -> Result<Value, Diagnostics> {
        Ok(self.put(new_id("item"), planned))
    }
    async fn read(&self, _: &mut Ctx, state: &Value) -> Result<Value, Diagnostics> {
        let id = state.get("id").and_then(Value::as_str).unwrap_or_default();
        Ok(self.store.with(id, item_value).unwrap_or(Value::Null))
    }
    async fn update(
        &self,
        _: &mut Ctx,
        prior: &Value,
        planned: &Value,
        _: &Value,
    ) -> Result<Value, Diagnostics> {
        let id = prior.get("id").and_then(Value::as_str).unwrap().to_string();
        Ok(self.put(id, planned))
    }
    async fn delete(&self, _: &mut Ctx, prior: &Value) -> Result<(), Diagnostics> {
        let id = prior.get("id").and_then(Value::as_str).unwrap().to_string();
        self.store.update(|all| all.remove(&id));
        Ok(())
    }
}

impl Item {
    /// Stores the item `id` with the planned input (output mirrors it); returns its value.
    fn put(&self, id: String, planned: &Value) -> Value {
        let input = planned.get("input").and_then(Value::as_str);
        let obj = serde_json::json!({"id": id, "input": input, "output": input});
        self.store.update(|all| all.insert(id, obj.clone()));
        item_value(&obj)
    }
}

/// A stored item as its object value (id, input, output: strings or null).
fn item_value(obj: &serde_json::Value) -> Value {
    let field = |name: &str| obj[name].as_str().map_or(Value::Null, Value::string);
    Value::object([
        ("id", field("id")),
        ("input", field("input")),
        ("output", field("output")),
    ])
}

/// Unique across processes (pid + time) and within one (a counter).
fn new_id(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}-{n}", std::process::id())
}

struct Thing {
    schema: Schema,
    store: Arc<Store>,
}

fn thing_schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description("Identifier."),
            Attribute::string("name").required().description("Name."),
            Attribute::string("zone")
                .optional()
                .requires_replace()
                .description("Changing it replaces the object."),
            Attribute::int64("size")
                .optional()
                .computed()
                .default(Value::int(1))
                .description("Size, default 1."),
            Attribute::string("password")
                .optional()
                .sensitive()
                .description("A sensitive value."),
            Attribute::set("tags", Type::String)
                .optional()
                .description("Tags."),
            Attribute::nested(
                "settings",
                NestedAttributes::single(vec![
                    Attribute::string("mode").optional(),
                    Attribute::int64("level").optional(),
                ]),
            )
            .optional(),
            Attribute::nested(
                "rules",
                NestedAttributes::list(vec![
                    Attribute::string("name").required(),
                    Attribute::int64("port").optional(),
                ]),
            )
            .optional(),
            Attribute::int64("revision")
                .computed()
                .description("Bumped on every update."),
            Attribute::string("created_at")
                .computed()
                .use_state_for_unknown(),
        ])
        .description("An object kept in a JSON file."),
    )
    .version(1)
}

/// JSON of a planned value; attributes still unknown are stored as null until set.
fn to_json(v: &Value, ty: &Type) -> serde_json::Value {
    cty::json::encode_value(&known_or_null(v), ty).expect("encode")
}

fn known_or_null(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), known_or_null(v)))
                .collect(),
        ),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), known_or_null(v)))
                .collect(),
        ),
        Value::List(items) => Value::List(items.iter().map(known_or_null).collect()),
        Value::Set(items) => Value::Set(items.iter().map(known_or_null).collect()),
        Value::Tuple(items) => Value::Tuple(items.iter().map(known_or_null).collect()),
        other => other.clone(),
    }
}

fn from_json(j: &serde_json::Value, ty: &Type) -> Value {
    cty::json::decode_value(j.to_string().as_bytes(), ty).expect("decode")
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        "testing_thing"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(
        &self,
        _ctx: &mut Ctx,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, Diagnostics> {
        let ty = self.schema.value_type();
        let mut obj = to_json(planned, &ty);
        let id = new_id("thing");
        obj["id"] = id.clone().into();
        obj["revision"] = 1.into();
        obj["created_at"] = "2026-01-01T00:00:00Z".into();
        self.store.update(|all| all.insert(id, obj.clone()));
        Ok(from_json(&obj, &ty))
    }

    async fn read(&self, _ctx: &mut Ctx, state: &Value) -> Result<Value, Diagnostics> {
        let id = state.get("id").and_then(Value::as_str).unwrap_or_default();
        let found = self.store.get(id);
        Ok(match found {
            Some(obj) => from_json(&obj, &self.schema.value_type()),
            None => Value::Null,
        })
    }

    async fn update(
        &self,
        _ctx: &mut Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, Diagnostics> {
        let ty = self.schema.value_type();
        let id = prior.get("id").and_then(Value::as_str).unwrap().to_string();
        let revision = prior.get("revision").and_then(Value::as_i64).unwrap_or(0) + 1;
        let mut obj = to_json(planned, &ty);
        obj["id"] = id.clone().into();
        obj["revision"] = revision.into();
        obj["created_at"] = to_json(prior, &ty)["created_at"].clone();
        self.store.update(|all| all.insert(id, obj.clone()));
        Ok(from_json(&obj, &ty))
    }

    async fn delete(&self, _ctx: &mut Ctx, prior: &Value) -> Result<(), Diagnostics> {
        let id = prior.get("id").and_then(Value::as_str).unwrap().to_string();
        self.store.update(|all| all.remove(&id));
        Ok(())
    }

    async fn import(&self, _ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        if !self.store.contains(id) {
            return Err(Diagnostic::error(
                "Cannot import a missing object",
                format!("No object has the ID {id:?}."),
            )
            .into());
        }
        Ok(Value::object([("id", Value::string(id))]))
    }
}

#[async_trait]
impl Provider for TestingProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.thing.clone(), self.item.clone()]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![]
    }
    async fn configure(&self, _config: &Value, _client: &ClientInfo) -> Diagnostics {
        Diagnostics::new()
    }
}

fn serve_provider() {
    let store = Arc::new(Store {
        path: PathBuf::from(std::env::var("TESTING_STORE").expect("TESTING_STORE")),
        cache: Mutex::new(None),
    });
    let provider = Arc::new(TestingProvider {
        schema: Schema::new(
            Block::from_attributes(vec![Attribute::string("label").optional()])
                .description("Test-only provider."),
        ),
        thing: Arc::new(Thing {
            schema: thing_schema(),
            store: store.clone(),
        }),
        item: Arc::new(Item {
            schema: item_schema(),
            store,
        }),
    });
    // The same runtime as the real provider (src/main.rs).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = server::ServeOptions {
        binary_name: "terraform-provider-testing".into(),
        provider_address: SOURCE.into(),
        debug: false,
    };
    if let Err(e) = rt.block_on(server::serve(provider, options)) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------- the scenarios

struct Env {
    _provider_dir: tempfile::TempDir,
    store: PathBuf,
    work: Workdir,
}

impl Env {
    fn new(terraform: &Path) -> Env {
        let exe = std::env::current_exe().unwrap();
        let provider_dir = provider_dir_with(&exe, "testing");
        let mut work = Workdir::new(
            terraform.to_path_buf(),
            &Install::DevOverrides {
                source: "acctest/testing".into(),
                dir: provider_dir.path().to_path_buf(),
            },
        );
        let store = work.dir.path().join("store.json");
        work.set_env("TESTING_STORE", store.display().to_string());
        Env {
            _provider_dir: provider_dir,
            store,
            work,
        }
    }

    fn objects(&self) -> BTreeMap<String, serde_json::Value> {
        std::fs::read(&self.store)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
}

const HEADER: &str = r#"
terraform {
  required_providers {
    testing = { source = "acctest/testing" }
  }
}
provider "testing" {}
"#;

fn config(name: &str, zone: &str) -> String {
    format!(
        r#"{HEADER}
resource "testing_thing" "a" {{
  name     = "{name}"
  zone     = "{zone}"
  password = "s3cret"
  tags     = ["b", "a"]
  settings = {{ mode = "fast" }}
  rules = [
    {{ name = "http", port = 80 }},
    {{ name = "https" }},
  ]
}}
output "id" {{ value = testing_thing.a.id }}
"#
    )
}

fn lifecycle(tf: &Path) {
    let env = Env::new(tf);
    let w = &env.work;

    // Create.
    w.config(&config("one", "z1"));
    w.apply();
    w.assert_no_changes();
    let created = w.resource("testing_thing.a");
    assert_eq!(created["name"], "one");
    assert_eq!(created["size"], 1, "default applied");
    assert_eq!(created["revision"], 1);
    assert_eq!(env.objects().len(), 1);
    let first_id = created["id"].as_str().unwrap().to_string();

    // Update in place: same id, revision bumped, created_at kept.
    w.config(&config("two", "z1"));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    assert!(!plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let updated = w.resource("testing_thing.a");
    assert_eq!(updated["id"], first_id.as_str());
    assert_eq!(updated["revision"], 2);
    assert_eq!(updated["created_at"], created["created_at"]);

    // Replace: zone requires replacement.
    w.config(&config("two", "z2"));
    let plan = w.assert_changes();
    assert!(plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let replaced = w.resource("testing_thing.a");
    assert_ne!(replaced["id"], first_id.as_str());
    assert_eq!(env.objects().len(), 1, "the old object was deleted");

    // Import into a fresh state: same attributes.
    let id = replaced["id"].as_str().unwrap().to_string();
    w.state_rm("testing_thing.a");
    w.import("testing_thing.a", &id);
    let imported = w.resource("testing_thing.a");
    assert_same_attributes(&replaced, &imported, &[]);
    w.assert_no_changes();

    // Drift: deleted out of band, so the next plan re-creates it.
    std::fs::write(&env.store, "{}").unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("will be created"), "{plan}");
    w.apply();
    w.assert_no_changes();

    // Destroy leaves nothing.
    w.destroy();
    assert!(
        env.objects().is_empty(),
        "objects left: {:?}",
        env.objects()
    );
}

fn bad_input(tf: &Path) {
    let env = Env::new(tf);
    let w = &env.work;
    w.config(&format!(
        "{HEADER}\nresource \"testing_thing\" \"a\" {{\n  zone = \"z\"\n}}\n"
    ));
    let run = w.plan_expect_error();
    assert!(run.text().contains("name"), "{}", run.text());
    assert!(env.objects().is_empty());
}

fn schema_json(tf: &Path) {
    let env = Env::new(tf);
    let w = &env.work;
    w.config(HEADER);
    let run = w.run(&["providers", "schema", "-json"]);
    assert!(run.ok(), "{}", run.text());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let attrs =
        &v["provider_schemas"][SOURCE]["resource_schemas"]["testing_thing"]["block"]["attributes"];
    assert_eq!(attrs["password"]["sensitive"], true);
    assert_eq!(attrs["id"]["computed"], true);
}

/// `terraform init` from a filesystem mirror in registry layout writes a lock file.
fn mirror_init(tf: &Path) {
    let mirror = tempfile::tempdir().unwrap();
    let dir = mirror
        .path()
        .join("registry.terraform.io/acctest/testing/0.0.1/linux_amd64");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        std::env::current_exe().unwrap(),
        dir.join("terraform-provider-testing_v0.0.1"),
    )
    .unwrap();
    let mut w = Workdir::new(
        tf.to_path_buf(),
        &Install::Mirror {
            source: "acctest/testing".into(),
            dir: mirror.path().to_path_buf(),
        },
    );
    let store = w.dir.path().join("store.json");
    w.set_env("TESTING_STORE", store.display().to_string());
    w.config(&config("m", "z"));
    w.init();
    let lock = std::fs::read_to_string(w.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains("registry.terraform.io/acctest/testing"),
        "{lock}"
    );
    w.apply();
    w.assert_no_changes();
    w.destroy();
}

fn main() {
    if handshake::cookie_present() {
        serve_provider();
        return;
    }
    let Some(tf) = terraform_binary() else {
        println!("acceptance tests skipped: no Terraform (set TF_ACC=1 to require one)");
        println!("0 passed, 0 failed, 4 skipped");
        return;
    };
    type Scenario = fn(&Path);
    let tests: Vec<(&str, Scenario)> = vec![
        ("lifecycle", lifecycle),
        ("bad_input", bad_input),
        ("schema_json", schema_json),
        ("mirror_init", mirror_init),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| test(&tf));
        let secs = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                passed += 1;
                println!("test acc_testprovider::{name} ... ok ({secs:.1}s)");
            }
            Err(_) => {
                failed += 1;
                println!("test acc_testprovider::{name} ... FAILED ({secs:.1}s)");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
