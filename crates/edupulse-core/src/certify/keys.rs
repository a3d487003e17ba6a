//! Multibase, multicodec and `did:key`: how Ed25519 keys are written in credentials.
//!
//! - multibase base58btc (`z` prefix, Bitcoin alphabet) and base64url without padding (`u`);
//! - a public key is multicodec `ed25519-pub` (0xed 0x01) + 32 bytes, so its multibase starts
//!   `z6Mk`; a private key is multicodec `ed25519-priv` (0x80 0x26) + the 32-byte seed;
//! - `did:key:<mb>#<mb>` is resolved locally by decoding `<mb>`: nothing is fetched.
//!
//! Errors never contain key material: they say which field is malformed and why.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::{CoreError, Result};

/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint 0xed).
pub const ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 private key seed (`ed25519-priv`, varint 0x1300).
pub const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// Multibase base58btc: `z` + base58 (Bitcoin alphabet).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Decode multibase base58btc; `what` names the field in the error.
pub fn decode_base58btc(s: &str, what: &str) -> Result<Vec<u8>> {
    let rest = s
        .strip_prefix('z')
        .ok_or_else(|| CoreError::param(what, "multibase value must start with `z` (base58btc)"))?;
    bs58::decode(rest)
        .into_vec()
        .map_err(|e| CoreError::param(what, format!("malformed base58btc: {e}")))
}

/// Multibase base64url without padding: `u` + base64url.
pub fn encode_base64url(bytes: &[u8]) -> String {
    format!("u{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Decode multibase base64url (`u`), accepting and ignoring trailing `=` padding.
pub fn decode_base64url(s: &str, what: &str) -> Result<Vec<u8>> {
    let rest = s
        .strip_prefix('u')
        .ok_or_else(|| CoreError::param(what, "multibase value must start with `u` (base64url)"))?;
    URL_SAFE_NO_PAD
        .decode(rest.trim_end_matches('='))
        .map_err(|e| CoreError::param(what, format!("malformed base64url: {e}")))
}

fn strip_codec<'a>(bytes: &'a [u8], codec: [u8; 2], what: &str, name: &str) -> Result<&'a [u8]> {
    match bytes.strip_prefix(&codec[..]) {
        Some(rest) if rest.len() == 32 => Ok(rest),
        Some(rest) => Err(CoreError::param(
            what,
            format!("{name} key must be 32 bytes, found {}", rest.len()),
        )),
        None => Err(CoreError::param(
            what,
            format!(
                "not a multicodec {name} key (expected prefix 0x{:02x}{:02x})",
                codec[0], codec[1]
            ),
        )),
    }
}

/// A public key as multibase (`z6Mk…`).
pub fn public_key_multibase(key: &VerifyingKey) -> String {
    let mut b = ED25519_PUB.to_vec();
    b.extend_from_slice(key.as_bytes());
    encode_base58btc(&b)
}

/// Parse a multibase Ed25519 public key (`z6Mk…`).
pub fn parse_public_key_multibase(s: &str) -> Result<VerifyingKey> {
    let what = "publicKeyMultibase";
    let bytes = decode_base58btc(s, what)?;
    let raw = strip_codec(&bytes, ED25519_PUB, what, "ed25519-pub")?;
    let mut arr = [0u8; 32];
    arr.copy_from_slice(raw);
    VerifyingKey::from_bytes(&arr)
        .map_err(|_| CoreError::param(what, "not a valid Ed25519 public key"))
}

/// A private key (seed) as multibase (`z3u2…`). Secret: never log the result.
pub fn private_key_multibase(key: &SigningKey) -> String {
    let mut b = ED25519_PRIV.to_vec();
    b.extend_from_slice(&key.to_bytes());
    encode_base58btc(&b)
}

/// Parse a multibase Ed25519 private key. The error never repeats the input.
pub fn parse_private_key_multibase(s: &str) -> Result<SigningKey> {
    let what = "privateKeyMultibase";
    let bytes = decode_base58btc(s.trim(), what)
        .map_err(|_| CoreError::param(what, "malformed multibase private key"))?;
    let raw = strip_codec(&bytes, ED25519_PRIV, what, "ed25519-priv")?;
    let mut arr = [0u8; 32];
    arr.copy_from_slice(raw);
    Ok(SigningKey::from_bytes(&arr))
}

/// The `did:key` verification method of a public key: `did:key:<mb>#<mb>`.
pub fn did_key_verification_method(key: &VerifyingKey) -> String {
    let mb = public_key_multibase(key);
    format!("did:key:{mb}#{mb}")
}

/// The DID (without fragment) of a public key: `did:key:<mb>`.
pub fn did_key(key: &VerifyingKey) -> String {
    format!("did:key:{}", public_key_multibase(key))
}

/// Resolve a `did:key` verification method locally. The fragment, when present, must name the
/// same key (did:key method spec §3.1.2).
pub fn resolve_did_key(verification_method: &str) -> Result<VerifyingKey> {
    let what = "verificationMethod";
    let rest = verification_method
        .strip_prefix("did:key:")
        .ok_or_else(|| CoreError::param(what, "not a did:key verification method"))?;
    let (mb, fragment) = match rest.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    if let Some(f) = fragment {
        if f != mb {
            return Err(CoreError::param(
                what,
                "did:key fragment does not match its key",
            ));
        }
    }
    parse_public_key_multibase(mb)
}
