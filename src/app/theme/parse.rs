//! fluxtui's own theme format (described in `themes/README.md`):
//!
//! ```yaml
//! extends: default          # optional; the theme whose roles this file does not set
//! description: Light terminals
//! styles:
//!   selected: { fg: black, bg: "#5fd7ff", bold: true }
//!   muted: { fg: 244, dim: true }
//! ```
//!
//! A role written here replaces the inherited role whole: what the file says is what is drawn, with no hidden
//! colour left over from the parent.

use std::collections::HashMap;
use std::fmt;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_saphyr::Spanned;

use super::colors::{ColorDialect, parse_color};
use super::{ROLE_NAMES, Theme, ThemeError};
use crate::app::config::SourcePosition;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ThemeFile {
    pub extends: Option<Spanned<String>>,
    /// A line for people reading the file; accepted so theme files can say what they are for.
    #[serde(rename = "description")]
    _description: Option<de::IgnoredAny>,
    #[serde(default)]
    pub styles: HashMap<Spanned<String>, RoleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleSpec {
    fg: Option<Spanned<ColorText>>,
    bg: Option<Spanned<ColorText>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    reversed: bool,
}

/// A colour as written: YAML reads `fg: 208` as a number and `fg: red` as a string, and both are colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ColorText(pub String);

impl<'de> Deserialize<'de> for ColorText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ColorText, D::Error> {
        struct ColorVisitor;

        impl Visitor<'_> for ColorVisitor {
            type Value = ColorText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a colour: a name, #rrggbb, a palette index 0-255 or default")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<ColorText, E> {
                Ok(ColorText(value.to_string()))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<ColorText, E> {
                Ok(ColorText(value.to_string()))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<ColorText, E> {
                Ok(ColorText(value.to_string()))
            }

            // An empty value (`bgColor:` in a k9s skin) means the terminal's default there.
            fn visit_unit<E: de::Error>(self) -> Result<ColorText, E> {
                Ok(ColorText(String::new()))
            }
        }

        deserializer.deserialize_any(ColorVisitor)
    }
}

/// Reads one written colour, or names the file, line and column of a bad one.
pub(super) fn resolve_color(
    text: &Spanned<ColorText>,
    dialect: ColorDialect,
    file_label: &str,
) -> Result<Color, ThemeError> {
    parse_color(&text.value.0, dialect).ok_or_else(|| ThemeError::Invalid {
        position: SourcePosition::at(file_label, &text.referenced),
        message: format!(
            "`{}` is not a colour: use a name (red, dodgerblue), #rrggbb, a palette index 0-255 or default",
            text.value.0
        ),
    })
}

impl RoleSpec {
    fn style(&self, file_label: &str) -> Result<Style, ThemeError> {
        let mut style = Style::new();
        if let Some(fg) = &self.fg {
            style = style.fg(resolve_color(fg, ColorDialect::Fluxtui, file_label)?);
        }
        if let Some(bg) = &self.bg {
            style = style.bg(resolve_color(bg, ColorDialect::Fluxtui, file_label)?);
        }
        let flags = [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.dim, Modifier::DIM),
            (self.reversed, Modifier::REVERSED),
        ];
        for (set, modifier) in flags {
            if set {
                style = style.add_modifier(modifier);
            }
        }
        Ok(style)
    }
}

impl ThemeFile {
    /// Lays this file's roles over `base` (the theme it extends).
    pub(super) fn apply(&self, mut base: Theme, file_label: &str) -> Result<Theme, ThemeError> {
        // Apply in file order so the first bad role reported is the first one the user sees.
        let mut roles: Vec<_> = self.styles.iter().collect();
        roles.sort_by_key(|(role, _)| (role.referenced.line(), role.referenced.column()));
        let mut seen: Vec<&str> = Vec::with_capacity(roles.len());
        for (role, spec) in roles {
            let position = || SourcePosition::at(file_label, &role.referenced);
            let name = role.value.as_str();
            if seen.contains(&name) {
                return Err(ThemeError::Invalid { position: position(), message: format!("role `{name}` set twice") });
            }
            seen.push(name);
            let style = spec.style(file_label)?;
            let Some(slot) = base.role_mut(name) else {
                return Err(ThemeError::Invalid {
                    position: position(),
                    message: format!("unknown role `{name}`; the roles are: {}", ROLE_NAMES.join(", ")),
                });
            };
            *slot = style;
        }
        Ok(base)
    }
}
