use crate::identifiers::{CustomerId, IdentificationNumber, MobileNumber, ReferenceNumber};

/// What to look customers up by: at least one identifier, all of which must match.
///
/// The fields are private so that a value without any identifier cannot exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCriteria {
    customer_id: Option<CustomerId>,
    identification_no: Option<IdentificationNumber>,
    mobile_number: Option<MobileNumber>,
    reference_no: Option<ReferenceNumber>,
}

/// The reason search criteria could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    /// None of the four identifiers was given.
    #[error(
        "at least one of customer id, identification number, mobile number or reference number is required"
    )]
    NoIdentifier,
}

impl SearchCriteria {
    /// Builds criteria from the identifiers given.
    ///
    /// # Errors
    /// [`CriteriaError::NoIdentifier`] when all four are `None`.
    pub fn new(
        customer_id: Option<CustomerId>,
        identification_no: Option<IdentificationNumber>,
        mobile_number: Option<MobileNumber>,
        reference_no: Option<ReferenceNumber>,
    ) -> Result<Self, CriteriaError> {
        if customer_id.is_none()
            && identification_no.is_none()
            && mobile_number.is_none()
            && reference_no.is_none()
        {
            return Err(CriteriaError::NoIdentifier);
        }
        Ok(Self {
            customer_id,
            identification_no,
            mobile_number,
            reference_no,
        })
    }

    /// The customer id to match, if given.
    pub fn customer_id(&self) -> Option<CustomerId> {
        self.customer_id
    }

    /// The identification number to match, if given.
    pub fn identification_no(&self) -> Option<&IdentificationNumber> {
        self.identification_no.as_ref()
    }

    /// The mobile number to match, if given.
    pub fn mobile_number(&self) -> Option<&MobileNumber> {
        self.mobile_number.as_ref()
    }

    /// The reference number to match, if given.
    pub fn reference_no(&self) -> Option<&ReferenceNumber> {
        self.reference_no.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_need_at_least_one_identifier() {
        assert_eq!(
            SearchCriteria::new(None, None, None, None),
            Err(CriteriaError::NoIdentifier)
        );
    }

    #[test]
    fn any_single_identifier_is_enough() {
        let mobile = MobileNumber::parse("512345678").ok();
        let criteria = SearchCriteria::new(None, None, mobile.clone(), None)
            .expect("one identifier is enough");
        assert_eq!(criteria.mobile_number(), mobile.as_ref());
        assert_eq!(criteria.customer_id(), None);
    }
}
