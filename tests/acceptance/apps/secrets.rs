//! `secret_env_wo`: write-only, sent with `secret: true`. The platform refuses secret values
//! today (400 "secret app env values are not enabled; store plain env values only",
//! documented), and so does comwit-local: the provider shows that answer, says to use `env`,
//! and never writes the value to the plan or the state.
//!
//! (The digest-based secret tests of the invented contract are gone with the digests.)

use super::{contains, env_pairs, flat, get_env, hcl, list_apps, read};
use crate::support::platform::{create_project, Platform};

const SECRET: &str = "s3cret-value-4471";

#[test]
fn secret_values_are_refused_with_the_platforms_answer_and_never_stored() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-secrets");
    w.set_env("TF_VAR_secret", SECRET);
    w.config(&hcl(
        &project,
        "variable \"secret\" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n\n\
         resource \"comwit_app\" \"web\" {\n  name          = \"web\"\n  env           = { MODE = \"prod\" }\n  secret_env_wo = { API_KEY = var.secret }\n}\n",
    ));
    let run = w.apply_expect_error();
    let text = flat(&run.text());
    assert!(
        text.contains("secret app env values are not enabled; store plain env values only"),
        "{text}"
    );
    assert!(text.contains("`env`"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    // The app was made and its plain variables set; the secret went nowhere.
    let apps = list_apps(&platform, &project);
    assert_eq!(apps.len(), 1);
    let env = get_env(&platform, &project, &apps[0].app_id);
    assert_eq!(
        env_pairs(&env),
        vec![("MODE".to_string(), "prod".to_string())]
    );
    let state = w.path().join("terraform.tfstate");
    if state.exists() {
        assert!(!contains(&read(&state), SECRET));
    }

    // Without the secret, the same app applies and re-plans empty.
    w.config(&hcl(
        &project,
        "resource \"comwit_app\" \"web\" {\n  name = \"web\"\n  env  = { MODE = \"prod\", API_KEY = \"plain\" }\n}\n",
    ));
    w.apply();
    w.assert_no_changes();
    w.destroy();
    assert!(list_apps(&platform, &project).is_empty());
}
