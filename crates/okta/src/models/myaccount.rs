//! MyAccount objects.

use super::object;

object! {
    /// The org as seen by an end user (`GET /idp/myaccount/organization`).
    Organization {
        /// Org name.
        name: String = "name",
        /// Org URL.
        url: String = "url",
        /// Help link.
        help_link: String = "helpLink",
        /// Support email.
        support_email: String = "supportEmail",
    }
}
