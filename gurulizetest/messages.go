// messages.go: the messages the fake answers with, and the reasons of its
// "Invalid Parameter (x): why" messages.

package gurulizetest

// The messages the fake answers with, as the provider's reference writes them.
const (
	MessageRequestReceived    = "Request Received"
	MessageInvalidCredentials = "User Information Is Invalid"
	MessageMethodNotAllowed   = "Method Not Allowed"
	MessageNotFound           = "Not Found"
)

// The reasons the fake gives in "Invalid Parameter (x): why" messages.
const (
	ReasonNotAPhoneNumber = "Not a phone number"
	ReasonNotNumeric      = "Must be numerical"
	ReasonNotPositive     = "Must be positive"
	ReasonNotMilliseconds = "Must be Unix time in milliseconds, not seconds"
	ReasonUnknownType     = "Must be video"
	ReasonUnknownEndHow   = "Must be AUTOMATIC or BY_HOST"
	ReasonUnknownEndWhen  = "Must be END_TIME or END_OF_DURATION"
	ReasonUnknownLanguage = "Must be en or tr"
	ReasonTooLarge        = "Too large"
)

// MissingParameterMessage returns the provider's message for a missing
// parameter: "Missing Parameter (name)".
func MissingParameterMessage(name string) string { return "Missing Parameter (" + name + ")" }

// InvalidParameterMessage returns the provider's message for an invalid
// parameter: "Invalid Parameter (name): why".
func InvalidParameterMessage(name, why string) string {
	return "Invalid Parameter (" + name + "): " + why
}
