//! W3C Bitstring Status List v1.0: which issued credentials are revoked.
//!
//! A list is a bitstring of at least [`MIN_BITS`] (131,072) bits — the minimum gives holders herd
//! privacy — where bit *i* is the status of the credential whose `statusListIndex` is *i*, counted
//! from the most significant bit of the first byte (MSB-first, spec §4.2). It travels GZIP-compressed
//! and multibase base64url-encoded (`u` + base64url without padding) in the `encodedList` of a
//! `BitstringStatusListCredential`, which is signed like any credential (see [`status_list_credential`]).
//!
//! ```
//! use edupulse_core::certify::status::StatusList;
//! let mut list = StatusList::new(131_072).unwrap();
//! list.revoke(94_567).unwrap();
//! let back = StatusList::decode(&list.encode().unwrap()).unwrap();
//! assert!(back.is_revoked(94_567).unwrap() && !back.is_revoked(0).unwrap());
//! ```

use std::io::{Read, Write};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};

use super::keys::{decode_base64url, encode_base64url};
use crate::{CoreError, Result};

/// The minimum length of a status list in bits (spec §4.1: 16 KB uncompressed).
pub const MIN_BITS: usize = 131_072;
/// The largest decoded list accepted (16 MiB = 134,217,728 bits), so a small hostile
/// `encodedList` cannot inflate without bound.
pub const MAX_BYTES: usize = 16 << 20;

/// The status-list index of a new credential: a position derived from SHA-256 of
/// `credential_id`, moved to the next free one (wrapping) if taken, in a list of
/// [`list_bits_for`]`(used.len() + 1)` bits, so indices carry no issuance order (Bitstring Status
/// List §6.1, herd privacy: "indexes … should be assigned randomly") and stay stable for a given
/// id. The list doubles before it is half full, so probing stays short.
pub fn allocate_index(used: &std::collections::BTreeSet<usize>, credential_id: &str) -> usize {
    use sha2::{Digest, Sha256};
    let capacity = list_bits_for(used.len() + 1);
    let h = Sha256::digest(credential_id.as_bytes());
    let mut word = [0u8; 8];
    word.copy_from_slice(&h[..8]);
    let start = (u64::from_be_bytes(word) % capacity as u64) as usize;
    (0..capacity)
        .map(|i| (start + i) % capacity)
        .find(|i| !used.contains(i))
        .unwrap_or(capacity)
}

/// The list length (bits) for `credentials` credentials: [`MIN_BITS`], doubled until they fill
/// at most half of it.
pub fn list_bits_for(credentials: usize) -> usize {
    let mut bits = MIN_BITS;
    while credentials > bits / 2 {
        bits *= 2;
    }
    bits
}

/// A bitstring status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl StatusList {
    /// An all-clear list of `size` bits (≥ [`MIN_BITS`], a multiple of 8, ≤ [`MAX_BYTES`]·8).
    pub fn new(size: usize) -> Result<StatusList> {
        if size < MIN_BITS {
            return Err(CoreError::param(
                "size",
                format!("a status list has at least {MIN_BITS} bits, got {size}"),
            ));
        }
        if !size.is_multiple_of(8) || size / 8 > MAX_BYTES {
            return Err(CoreError::param(
                "size",
                format!(
                    "must be a multiple of 8 and at most {} bits, got {size}",
                    MAX_BYTES * 8
                ),
            ));
        }
        Ok(StatusList {
            bytes: vec![0; size / 8],
        })
    }

    /// Length in bits.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Always false: a valid list has at least [`MIN_BITS`] bits.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn locate(&self, index: usize) -> Result<(usize, u8)> {
        if index >= self.len() {
            return Err(CoreError::param(
                "statusListIndex",
                format!("{index} is outside the list of {} bits", self.len()),
            ));
        }
        Ok((index / 8, 0x80u8 >> (index % 8)))
    }

    /// Set bit `index` (revoked).
    pub fn revoke(&mut self, index: usize) -> Result<()> {
        self.set(index, true)
    }

    /// Set bit `index` to `value`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<()> {
        let (byte, mask) = self.locate(index)?;
        if value {
            self.bytes[byte] |= mask;
        } else {
            self.bytes[byte] &= !mask;
        }
        Ok(())
    }

    /// Whether bit `index` is set.
    pub fn is_revoked(&self, index: usize) -> Result<bool> {
        let (byte, mask) = self.locate(index)?;
        Ok(self.bytes[byte] & mask != 0)
    }

    /// Indices of the set bits.
    pub fn revoked(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.bytes[i / 8] & (0x80 >> (i % 8)) != 0)
            .collect()
    }

    /// The `encodedList`: multibase base64url (no padding) of the GZIP of the bitstring.
    pub fn encode(&self) -> Result<String> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&self.bytes)
            .and_then(|_| enc.finish())
            .map(|gz| encode_base64url(&gz))
            .map_err(|e| CoreError::param("encodedList", format!("gzip failed: {e}")))
    }

    /// Decode an `encodedList`; rejects a malformed value and a list shorter than [`MIN_BITS`].
    pub fn decode(encoded: &str) -> Result<StatusList> {
        let gz = decode_base64url(encoded, "encodedList")?;
        let mut bytes = Vec::new();
        GzDecoder::new(&gz[..])
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CoreError::param("encodedList", format!("not valid GZIP: {e}")))?;
        if bytes.len() > MAX_BYTES {
            return Err(CoreError::param(
                "encodedList",
                format!("decodes to more than {MAX_BYTES} bytes"),
            ));
        }
        if bytes.len() * 8 < MIN_BITS {
            return Err(CoreError::param(
                "encodedList",
                format!(
                    "decodes to {} bits, fewer than the minimum {MIN_BITS}",
                    bytes.len() * 8
                ),
            ));
        }
        Ok(StatusList { bytes })
    }
}

/// An unsigned `BitstringStatusListCredential` for `list` (spec §2.2), to sign with
/// [`super::proof::sign`]. `id` is the URL the list is published at; `issuer` must be the issuer of
/// the credentials it covers.
pub fn status_list_credential(
    id: &str,
    issuer: &str,
    purpose: &str,
    valid_from: &str,
    list: &StatusList,
) -> Result<Value> {
    Ok(json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": list.encode()?,
        }
    }))
}

/// A `BitstringStatusListEntry` pointing at bit `index` of the list published at `list_url`.
pub fn status_entry(list_url: &str, purpose: &str, index: usize) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}
