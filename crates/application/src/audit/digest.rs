//! Keyed hashes of searched values: the audit trail can say who searched for a value
//! without holding the value.

use customer_domain::{Criterion, CriterionDigest, SearchCriteria};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::access::RandomnessError;

/// HMAC-SHA256 of searched values under the deployment's audit key.
#[derive(Clone)]
pub struct CriteriaHasher {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for CriteriaHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CriteriaHasher(..)")
    }
}

/// A new audit key: 32 random bytes, for deployments that configure none. Made here,
/// beside the API keys, so that the stores only keep keys and never make them.
///
/// # Errors
/// [`RandomnessError`] when the operating system gives no random bytes.
pub fn random_audit_key() -> Result<[u8; 32], RandomnessError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(RandomnessError::from)?;
    Ok(key)
}

impl CriteriaHasher {
    /// A hasher keyed with `key` (any length; 32 random bytes is right).
    pub fn new(key: &[u8]) -> Self {
        Self {
            mac: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length"),
        }
    }

    /// The digest of `value` searched as `criterion`. The criterion's name is hashed
    /// with the value, so that a mobile number and an equal reference number differ.
    pub fn digest(&self, criterion: Criterion, value: &str) -> CriterionDigest {
        let mut mac = self.mac.clone();
        mac.update(criterion.name().as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let digest = hex::encode(mac.finalize().into_bytes());
        CriterionDigest { criterion, digest }
    }

    /// The digests of every criterion of a lookup, in the contract's order, each of its
    /// normalized value (a mobile number without its spaces, digits in ASCII).
    pub fn digests(&self, criteria: &SearchCriteria) -> Vec<CriterionDigest> {
        let values = [
            criteria.customer_id().map(|id| id.get().to_string()),
            criteria.identification_no().map(|v| v.as_str().to_owned()),
            criteria.mobile_number().map(|v| v.as_str().to_owned()),
            criteria.reference_no().map(|v| v.as_str().to_owned()),
        ];
        Criterion::ALL
            .into_iter()
            .zip(values)
            .filter_map(|(criterion, value)| value.map(|value| self.digest(criterion, &value)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use customer_domain::{CustomerId, MobileNumber};

    use super::*;

    #[test]
    fn digests_are_keyed_hmacs_of_name_and_value() {
        let hasher = CriteriaHasher::new(b"key");
        let digest = hasher.digest(Criterion::MobileNumber, "568617084");
        // python3: hmac.new(b"key", b"mobileNumber\x00568617084", hashlib.sha256).hexdigest()
        assert_eq!(
            digest.digest,
            "b5d7e7af5fd301faabba97e5aa69bb4b64c880423934b16fc65ed7fd50c89209"
        );
        assert_ne!(
            hasher.digest(Criterion::ReferenceNo, "568617084").digest,
            digest.digest
        );
        assert_ne!(
            CriteriaHasher::new(b"other").digest(Criterion::MobileNumber, "568617084"),
            digest
        );
    }

    #[test]
    fn every_criterion_given_gets_a_digest_of_its_normalized_value() {
        let hasher = CriteriaHasher::new(b"key");
        let criteria = SearchCriteria::new(
            Some(CustomerId::parse("54218").unwrap()),
            None,
            Some(MobileNumber::parse("56 861-7084").unwrap()),
            None,
        )
        .unwrap();
        let digests = hasher.digests(&criteria);
        assert_eq!(
            digests,
            vec![
                hasher.digest(Criterion::CustomerId, "54218"),
                hasher.digest(Criterion::MobileNumber, "568617084"),
            ]
        );
    }
}
