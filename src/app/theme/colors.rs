//! Colour names. Two dialects, because the same word means different colours in the two worlds we read:
//!
//! - fluxtui themes speak ratatui first: `red`, `lightblue`, `darkgray` are the terminal's own palette colours
//!   (so they follow the user's terminal scheme), and every other W3C/X11 name (`dodgerblue`, `lightskyblue`) is
//!   its exact RGB value.
//! - k9s skins speak tcell: the sixteen HTML basic names (`black`, `maroon`, ..., `red` = palette 9, `aqua` =
//!   palette 14) are palette colours as k9s draws them, and every other W3C name is its RGB value.
//!
//! Both accept `#rrggbb`, `#rgb`, a palette index 0-255 and `default` (the terminal's own colour); k9s skins also
//! write the terminal default as `-` or an empty string. Names ignore case, `-`, `_` and spaces.

use ratatui::style::Color;

/// Which meaning a colour name has; see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDialect {
    Fluxtui,
    K9s,
}

/// Parses one colour, or `None` when the text is not a colour in this dialect.
pub fn parse_color(text: &str, dialect: ColorDialect) -> Option<Color> {
    let trimmed = text.trim();
    if let Some(hex) = trimmed.strip_prefix('#') {
        return parse_hex(hex);
    }
    if let Ok(index) = trimmed.parse::<u8>() {
        return Some(Color::Indexed(index));
    }
    let name: String =
        trimmed.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
    // Only separators left: k9s's `-` (or an empty value), which k9s reads as the terminal default.
    let k9s_default = dialect == ColorDialect::K9s && name.is_empty();
    if k9s_default || name == "default" || name == "reset" {
        return Some(Color::Reset);
    }
    let palette = match dialect {
        ColorDialect::Fluxtui => ratatui_color(&name),
        ColorDialect::K9s => tcell_basic_color(&name),
    };
    palette.or_else(|| w3c_color(&name))
}

fn parse_hex(hex: &str) -> Option<Color> {
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
    match hex.len() {
        6 => {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?))
        }
        // #rgb is shorthand for #rrggbb: each digit doubled.
        3 => Some(Color::Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        _ => None,
    }
}

/// ratatui's own names for the sixteen palette colours (the spellings `Color::from_str` accepts, minus the
/// separators we strip).
fn ratatui_color(name: &str) -> Option<Color> {
    Some(match name {
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

/// tcell's palette names, which k9s skins rely on: the sixteen HTML 4 colours in xterm palette order.
fn tcell_basic_color(name: &str) -> Option<Color> {
    let index = match name {
        "black" => 0,
        "maroon" => 1,
        "green" => 2,
        "olive" => 3,
        "navy" => 4,
        "purple" => 5,
        "teal" => 6,
        "silver" => 7,
        "gray" | "grey" => 8,
        "red" => 9,
        "lime" => 10,
        "yellow" => 11,
        "blue" => 12,
        "fuchsia" | "magenta" => 13,
        "aqua" | "cyan" => 14,
        "white" => 15,
        _ => return None,
    };
    Some(Color::Indexed(index))
}

/// The 148 W3C (CSS Color 4) named colours, which are X11's names; k9s skins use them freely.
fn w3c_color(name: &str) -> Option<Color> {
    let index = W3C_COLORS.binary_search_by(|(known, _)| known.cmp(&name)).ok()?;
    let rgb = W3C_COLORS[index].1;
    Some(Color::Rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8))
}

/// Sorted by name so lookups can binary-search (a test checks the order).
const W3C_COLORS: &[(&str, u32)] = &[
    ("aliceblue", 0xf0f8ff),
    ("antiquewhite", 0xfaebd7),
    ("aqua", 0x00ffff),
    ("aquamarine", 0x7fffd4),
    ("azure", 0xf0ffff),
    ("beige", 0xf5f5dc),
    ("bisque", 0xffe4c4),
    ("black", 0x000000),
    ("blanchedalmond", 0xffebcd),
    ("blue", 0x0000ff),
    ("blueviolet", 0x8a2be2),
    ("brown", 0xa52a2a),
    ("burlywood", 0xdeb887),
    ("cadetblue", 0x5f9ea0),
    ("chartreuse", 0x7fff00),
    ("chocolate", 0xd2691e),
    ("coral", 0xff7f50),
    ("cornflowerblue", 0x6495ed),
    ("cornsilk", 0xfff8dc),
    ("crimson", 0xdc143c),
    ("cyan", 0x00ffff),
    ("darkblue", 0x00008b),
    ("darkcyan", 0x008b8b),
    ("darkgoldenrod", 0xb8860b),
    ("darkgray", 0xa9a9a9),
    ("darkgreen", 0x006400),
    ("darkgrey", 0xa9a9a9),
    ("darkkhaki", 0xbdb76b),
    ("darkmagenta", 0x8b008b),
    ("darkolivegreen", 0x556b2f),
    ("darkorange", 0xff8c00),
    ("darkorchid", 0x9932cc),
    ("darkred", 0x8b0000),
    ("darksalmon", 0xe9967a),
    ("darkseagreen", 0x8fbc8f),
    ("darkslateblue", 0x483d8b),
    ("darkslategray", 0x2f4f4f),
    ("darkslategrey", 0x2f4f4f),
    ("darkturquoise", 0x00ced1),
    ("darkviolet", 0x9400d3),
    ("deeppink", 0xff1493),
    ("deepskyblue", 0x00bfff),
    ("dimgray", 0x696969),
    ("dimgrey", 0x696969),
    ("dodgerblue", 0x1e90ff),
    ("firebrick", 0xb22222),
    ("floralwhite", 0xfffaf0),
    ("forestgreen", 0x228b22),
    ("fuchsia", 0xff00ff),
    ("gainsboro", 0xdcdcdc),
    ("ghostwhite", 0xf8f8ff),
    ("gold", 0xffd700),
    ("goldenrod", 0xdaa520),
    ("gray", 0x808080),
    ("green", 0x008000),
    ("greenyellow", 0xadff2f),
    ("grey", 0x808080),
    ("honeydew", 0xf0fff0),
    ("hotpink", 0xff69b4),
    ("indianred", 0xcd5c5c),
    ("indigo", 0x4b0082),
    ("ivory", 0xfffff0),
    ("khaki", 0xf0e68c),
    ("lavender", 0xe6e6fa),
    ("lavenderblush", 0xfff0f5),
    ("lawngreen", 0x7cfc00),
    ("lemonchiffon", 0xfffacd),
    ("lightblue", 0xadd8e6),
    ("lightcoral", 0xf08080),
    ("lightcyan", 0xe0ffff),
    ("lightgoldenrodyellow", 0xfafad2),
    ("lightgray", 0xd3d3d3),
    ("lightgreen", 0x90ee90),
    ("lightgrey", 0xd3d3d3),
    ("lightpink", 0xffb6c1),
    ("lightsalmon", 0xffa07a),
    ("lightseagreen", 0x20b2aa),
    ("lightskyblue", 0x87cefa),
    ("lightslategray", 0x778899),
    ("lightslategrey", 0x778899),
    ("lightsteelblue", 0xb0c4de),
    ("lightyellow", 0xffffe0),
    ("lime", 0x00ff00),
    ("limegreen", 0x32cd32),
    ("linen", 0xfaf0e6),
    ("magenta", 0xff00ff),
    ("maroon", 0x800000),
    ("mediumaquamarine", 0x66cdaa),
    ("mediumblue", 0x0000cd),
    ("mediumorchid", 0xba55d3),
    ("mediumpurple", 0x9370db),
    ("mediumseagreen", 0x3cb371),
    ("mediumslateblue", 0x7b68ee),
    ("mediumspringgreen", 0x00fa9a),
    ("mediumturquoise", 0x48d1cc),
    ("mediumvioletred", 0xc71585),
    ("midnightblue", 0x191970),
    ("mintcream", 0xf5fffa),
    ("mistyrose", 0xffe4e1),
    ("moccasin", 0xffe4b5),
    ("navajowhite", 0xffdead),
    ("navy", 0x000080),
    ("oldlace", 0xfdf5e6),
    ("olive", 0x808000),
    ("olivedrab", 0x6b8e23),
    ("orange", 0xffa500),
    ("orangered", 0xff4500),
    ("orchid", 0xda70d6),
    ("palegoldenrod", 0xeee8aa),
    ("palegreen", 0x98fb98),
    ("paleturquoise", 0xafeeee),
    ("palevioletred", 0xdb7093),
    ("papayawhip", 0xffefd5),
    ("peachpuff", 0xffdab9),
    ("peru", 0xcd853f),
    ("pink", 0xffc0cb),
    ("plum", 0xdda0dd),
    ("powderblue", 0xb0e0e6),
    ("purple", 0x800080),
    ("rebeccapurple", 0x663399),
    ("red", 0xff0000),
    ("rosybrown", 0xbc8f8f),
    ("royalblue", 0x4169e1),
    ("saddlebrown", 0x8b4513),
    ("salmon", 0xfa8072),
    ("sandybrown", 0xf4a460),
    ("seagreen", 0x2e8b57),
    ("seashell", 0xfff5ee),
    ("sienna", 0xa0522d),
    ("silver", 0xc0c0c0),
    ("skyblue", 0x87ceeb),
    ("slateblue", 0x6a5acd),
    ("slategray", 0x708090),
    ("slategrey", 0x708090),
    ("snow", 0xfffafa),
    ("springgreen", 0x00ff7f),
    ("steelblue", 0x4682b4),
    ("tan", 0xd2b48c),
    ("teal", 0x008080),
    ("thistle", 0xd8bfd8),
    ("tomato", 0xff6347),
    ("turquoise", 0x40e0d0),
    ("violet", 0xee82ee),
    ("wheat", 0xf5deb3),
    ("white", 0xffffff),
    ("whitesmoke", 0xf5f5f5),
    ("yellow", 0xffff00),
    ("yellowgreen", 0x9acd32),
];

#[cfg(test)]
mod tests {
    use super::*;
    use ColorDialect::{Fluxtui, K9s};

    #[test]
    fn the_w3c_table_is_complete_and_sorted() {
        assert_eq!(W3C_COLORS.len(), 148);
        assert!(W3C_COLORS.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn names_hex_indices_and_default_parse() {
        assert_eq!(parse_color("dodgerblue", Fluxtui), Some(Color::Rgb(0x1e, 0x90, 0xff)));
        assert_eq!(parse_color("LightSkyBlue", K9s), Some(Color::Rgb(0x87, 0xce, 0xfa)));
        assert_eq!(parse_color("light-red", Fluxtui), Some(Color::LightRed));
        assert_eq!(parse_color("#5fd7FF", Fluxtui), Some(Color::Rgb(0x5f, 0xd7, 0xff)));
        assert_eq!(parse_color("#fa0", Fluxtui), Some(Color::Rgb(0xff, 0xaa, 0x00)));
        assert_eq!(parse_color("208", Fluxtui), Some(Color::Indexed(208)));
        assert_eq!(parse_color("default", Fluxtui), Some(Color::Reset));
        assert_eq!(parse_color("-", K9s), Some(Color::Reset));
        assert_eq!(parse_color("", K9s), Some(Color::Reset));
        for bad in ["-", "", "256", "#12345", "#ggggggg", "blurple"] {
            assert_eq!(parse_color(bad, Fluxtui), None, "{bad}");
        }
    }

    #[test]
    fn the_dialects_differ_only_on_palette_names() {
        assert_eq!(parse_color("red", Fluxtui), Some(Color::Red));
        assert_eq!(parse_color("red", K9s), Some(Color::Indexed(9)));
        assert_eq!(parse_color("aqua", K9s), Some(Color::Indexed(14)));
        assert_eq!(parse_color("aqua", Fluxtui), Some(Color::Rgb(0, 0xff, 0xff)));
        assert_eq!(parse_color("lightgreen", K9s), Some(Color::Rgb(0x90, 0xee, 0x90)));
        assert_eq!(parse_color("orangered", Fluxtui), parse_color("orangered", K9s));
    }
}
