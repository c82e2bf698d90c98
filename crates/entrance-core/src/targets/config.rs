//! A product's generated configuration: blocks of keys in the product's own
//! format, rendered as env, ini, yaml or form fields.

use serde::{Deserialize, Serialize};

/// How a configuration block is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConfigFormat {
    /// `KEY=value` lines (environment variables, `.env` files).
    Env,
    /// `[section]` and `key = value` lines (Grafana's `grafana.ini`).
    Ini,
    /// A YAML mapping (docker compose `environment:`, Helm values).
    Yaml,
    /// Form fields typed into the product's admin UI (authentik).
    Fields,
}

impl ConfigFormat {
    /// Parses `env`, `ini`, `yaml`, `fields`.
    pub fn parse(s: &str) -> Option<ConfigFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "env" | "dotenv" => Some(ConfigFormat::Env),
            "ini" => Some(ConfigFormat::Ini),
            "yaml" | "yml" => Some(ConfigFormat::Yaml),
            "fields" | "form" => Some(ConfigFormat::Fields),
            _ => None,
        }
    }
}

/// One key and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConfigEntry {
    /// The key as the product documents it.
    pub key: String,
    /// The value derived from the inputs (a placeholder when unknown).
    pub value: String,
    /// The value is the client secret (or its placeholder).
    pub secret: bool,
    /// Where the key comes from.
    pub source: &'static str,
}

impl ConfigEntry {
    /// An entry.
    pub fn new(key: impl Into<String>, value: impl Into<String>, source: &'static str) -> Self {
        ConfigEntry {
            key: key.into(),
            value: value.into(),
            secret: false,
            source,
        }
    }
    /// The client secret entry.
    pub fn secret(key: impl Into<String>, value: impl Into<String>, source: &'static str) -> Self {
        ConfigEntry {
            secret: true,
            ..ConfigEntry::new(key, value, source)
        }
    }
}

/// One block: a file, a section or a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConfigBlock {
    /// What it is ("Keep backend", "grafana.ini").
    pub title: String,
    /// The product's native format for this block.
    pub format: ConfigFormat,
    /// The ini section (`auth.azuread`), when there is one.
    pub section: Option<String>,
    /// The keys, in the product's documented order.
    pub entries: Vec<ConfigEntry>,
    /// The same settings as the block before it, in another format.
    pub equivalent: bool,
}

impl ConfigBlock {
    /// A block.
    pub fn new(title: impl Into<String>, format: ConfigFormat, entries: Vec<ConfigEntry>) -> Self {
        ConfigBlock {
            title: title.into(),
            format,
            section: None,
            entries,
            equivalent: false,
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.key.as_str()).collect()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    }

    /// Renders the block in `format`.
    pub fn render(&self, format: ConfigFormat) -> String {
        let mut out = String::new();
        match format {
            ConfigFormat::Env => {
                out.push_str(&format!("# {}\n", self.title));
                for e in &self.entries {
                    out.push_str(&format!("{}={}\n", e.key, env_value(&e.value)));
                }
            }
            ConfigFormat::Ini => {
                out.push_str(&format!("; {}\n", self.title));
                if let Some(s) = &self.section {
                    out.push_str(&format!("[{s}]\n"));
                }
                for e in &self.entries {
                    out.push_str(&format!("{} = {}\n", e.key, e.value));
                }
            }
            ConfigFormat::Yaml => {
                out.push_str(&format!("# {}\n", self.title));
                for e in &self.entries {
                    out.push_str(&format!("{}: {}\n", e.key, yaml_value(&e.value)));
                }
            }
            ConfigFormat::Fields => {
                out.push_str(&format!("{}\n", self.title));
                for e in &self.entries {
                    out.push_str(&format!("  {}: {}\n", e.key, e.value));
                }
            }
        }
        out
    }
}

fn env_value(v: &str) -> String {
    if v.is_empty()
        || v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+~".contains(c))
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn yaml_value(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A product's configuration: one or more blocks, with notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Configuration {
    /// The blocks in the product's native format.
    pub blocks: Vec<ConfigBlock>,
    /// Things to know (versions, alternatives), with sources.
    pub notes: Vec<String>,
}

impl Configuration {
    /// The block titled `title`.
    pub fn block(&self, title: &str) -> Option<&ConfigBlock> {
        self.blocks.iter().find(|b| b.title == title)
    }

    /// Renders every block in `format`, or in its native format when `None`.
    /// A block with an equivalent in the asked format (Grafana's ini and
    /// `GF_AUTH_AZUREAD_*` env) is printed in that form; env, yaml and
    /// fields convert into each other; an ini block without an equivalent
    /// stays ini.
    pub fn render(&self, format: Option<ConfigFormat>) -> String {
        let mut out = String::new();
        let mut first = true;
        for (i, b) in self.blocks.iter().enumerate() {
            if b.equivalent {
                continue;
            }
            let twins = || self.blocks[i + 1..].iter().take_while(|o| o.equivalent);
            let twin = twins().find(|o| Some(o.format) == format).or_else(|| {
                (format == Some(ConfigFormat::Yaml))
                    .then(|| twins().find(|o| o.format == ConfigFormat::Env))
                    .flatten()
            });
            let (block, f) = match (twin, format) {
                (Some(t), Some(f)) => (t, f),
                (None, Some(f)) if b.format != ConfigFormat::Ini && f != ConfigFormat::Ini => {
                    (b, f)
                }
                _ => (b, b.format),
            };
            if !first {
                out.push('\n');
            }
            first = false;
            out.push_str(&block.render(f));
        }
        for n in &self.notes {
            out.push_str(&format!("\n# note: {n}"));
        }
        if !self.notes.is_empty() {
            out.push('\n');
        }
        out
    }
}
