//! hclog-style JSON logs on stderr.
//!
//! go-plugin reads each stderr line of a plugin; a JSON object with `@level`, `@message` and
//! `@module` is re-logged by Terraform at that level, so `TF_LOG=debug terraform plan` shows our
//! lines beside Terraform's. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`; with neither
//! set nothing is written (Terraform would drop it anyway).

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Maps Terraform's log level names to a tracing level; `None` means logging is off.
pub fn level_from_env() -> Option<Level> {
    let raw = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok())?;
    parse_level(&raw)
}

fn parse_level(raw: &str) -> Option<Level> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        "" | "OFF" => None,
        // Terraform treats any other non-empty value as TRACE.
        _ => Some(Level::TRACE),
    }
}

/// Installs the stderr JSON logger for a plugin process. `module` names the emitter, e.g.
/// `provider.terraform-provider-x`. Safe to call more than once (later calls do nothing).
pub fn init(module: &'static str) {
    let Some(level) = level_from_env() else {
        return;
    };
    let layer = HclogLayer { module, level };
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

struct HclogLayer {
    module: &'static str,
    level: Level,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        *metadata.level() <= self.level
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() > self.level {
            return;
        }
        let mut visitor = JsonFields::default();
        event.record(&mut visitor);
        let line = render_line(
            *meta.level(),
            self.module,
            meta.target(),
            &visitor.message,
            &visitor.fields,
        );
        let stderr = std::io::stderr();
        let mut lock = stderr.lock();
        let _ = lock.write_all(line.as_bytes());
    }
}

fn render_line(
    level: Level,
    module: &str,
    target: &str,
    message: &str,
    fields: &[(String, serde_json::Value)],
) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level_name(level).into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module.into());
    obj.insert("@timestamp".into(), timestamp().into());
    obj.insert("@caller".into(), target.into());
    for (k, v) in fields {
        obj.insert(k.clone(), v.clone());
    }
    let mut line = serde_json::Value::Object(obj).to_string();
    line.push('\n');
    line
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[derive(Default)]
struct JsonFields {
    message: String,
    fields: Vec<(String, serde_json::Value)>,
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.push((field.name().to_string(), value.into()));
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.push((field.name().to_string(), value.into()));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.push((field.name().to_string(), value.into()));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.push((field.name().to_string(), value.into()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message.push_str(&text);
        } else {
            self.fields.push((field.name().to_string(), text.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_terraform_names() {
        assert_eq!(parse_level("debug"), Some(Level::DEBUG));
        assert_eq!(parse_level("JSON"), Some(Level::TRACE));
        assert_eq!(parse_level("off"), None);
        assert_eq!(parse_level("anything"), Some(Level::TRACE));
    }

    #[test]
    fn line_is_hclog_json() {
        let line = render_line(
            Level::DEBUG,
            "provider.terraform-provider-x",
            "x::y",
            "hello",
            &[("rpc".into(), "PlanResourceChange".into())],
        );
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "hello");
        assert_eq!(v["@module"], "provider.terraform-provider-x");
        assert_eq!(v["rpc"], "PlanResourceChange");
        assert!(line.ends_with('\n'));
    }
}
