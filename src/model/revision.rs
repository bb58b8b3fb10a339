//! Shortening the digests inside revisions and messages, the way `flux get` does, for narrow columns.

use std::borrow::Cow;

/// How many hex characters `flux get` keeps of a digest (`main@sha1:450796dd`).
pub const FLUX_DIGEST_LEN: usize = 8;

/// How many hex characters fluxtui keeps in its narrow tables: a little more than flux, so two digests of a busy
/// repository stay apart.
pub const SHORT_DIGEST_LEN: usize = 12;

/// Cuts every whole word made only of 40 to 128 lowercase hex characters to its first `keep` characters.
///
/// This is the flux CLI's rule (`\b[a-f0-9]{40,128}\b`): it catches `sha1:`/`sha256:` digests and bare commit
/// ids in revisions and in messages such as `stored artifact for revision 'main@sha1:…'`, and leaves names and
/// chart versions alone. Borrowed when nothing changes, which is the common case for messages.
pub fn abbreviate_digests(text: &str, keep: usize) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let is_digest = |word: &[u8]| {
        (40..=128).contains(&word.len()) && word.iter().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut start = 0;
    while start < bytes.len() {
        if !is_word(bytes[start]) {
            start += 1;
            continue;
        }
        let end = bytes[start..].iter().position(|byte| !is_word(*byte)).map_or(bytes.len(), |offset| start + offset);
        if is_digest(&bytes[start..end]) && keep < end - start {
            let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
            // Word boundaries are ASCII, so these are char boundaries.
            buffer.push_str(&text[copied..start + keep]);
            copied = end;
        }
        start = end;
    }
    match out {
        Some(mut buffer) => {
            buffer.push_str(&text[copied..]);
            Cow::Owned(buffer)
        }
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: &str = "450796ddb2ab6724ee1cc32a4be56da032d1cca0";
    const SHA256: &str = "2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef0";

    #[test]
    fn shortens_git_and_oci_revisions() {
        assert_eq!(abbreviate_digests(&format!("main@sha1:{SHA1}"), FLUX_DIGEST_LEN), "main@sha1:450796dd");
        assert_eq!(abbreviate_digests(&format!("sha1:{SHA1}"), SHORT_DIGEST_LEN), "sha1:450796ddb2ab");
        assert_eq!(
            abbreviate_digests(&format!("6.5.0@sha256:{SHA256}"), SHORT_DIGEST_LEN),
            "6.5.0@sha256:2e3b9ef2e3b9"
        );
        assert_eq!(
            abbreviate_digests(&format!("refs/pull/1/head@sha1:{SHA1}"), FLUX_DIGEST_LEN),
            "refs/pull/1/head@sha1:450796dd"
        );
    }

    #[test]
    fn shortens_every_digest_in_a_message() {
        let message = format!("stored artifact for revision 'main@sha1:{SHA1}' from {SHA1}");
        assert_eq!(
            abbreviate_digests(&message, FLUX_DIGEST_LEN),
            "stored artifact for revision 'main@sha1:450796dd' from 450796dd"
        );
    }

    #[test]
    fn leaves_other_words_alone() {
        for text in [
            "6.0.3",
            "6.0.3+1",
            "",
            "main",
            &SHA1[..39],
            &SHA1.to_uppercase(),
            &format!("{SHA1}g"),
            &format!("x_{SHA1}"),
        ] {
            assert!(matches!(abbreviate_digests(text, 8), Cow::Borrowed(_)), "{text}");
        }
    }
}
