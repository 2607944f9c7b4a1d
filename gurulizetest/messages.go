// messages.go: the messages the fake answers with, in English and, for a
// request with lang=tr, in Turkish of the fake's own wording.

package gurulizetest

import "github.com/gurulize/gurulize-go"

// The messages the fake answers with. MessageRequestReceived and
// MessageInvalidCredentials are the provider's documented English texts;
// MessageMethodNotAllowed and MessageNotFound are the fake's own.
const (
	MessageRequestReceived    = "Request Received"
	MessageInvalidCredentials = "User Information Is Invalid"
	MessageMethodNotAllowed   = "Method Not Allowed"
	MessageNotFound           = "Not Found"
)

// The reasons the fake gives in "Invalid Parameter (x): why" messages.
// ReasonNotAPhoneNumber is the provider's documented text; the others are
// the fake's own.
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

// The provider documents no Turkish text, so these are the fake's own
// wording, in the shape of the English messages: the parameter in
// parentheses, as a client that classifies by it needs.
const (
	turkishMissingParameter   = "Eksik parametre"              // Missing Parameter
	turkishInvalidParameter   = "Geçersiz parametre"           // Invalid Parameter
	turkishInvalidCredentials = "Kullanıcı bilgileri geçersiz" // User Information Is Invalid
)

// turkishReasons holds the fake's Turkish wording of each reason but
// ReasonUnknownLanguage, which a request with lang=tr cannot earn.
var turkishReasons = map[string]string{
	ReasonNotAPhoneNumber: "Telefon numarası değil",
	ReasonNotNumeric:      "Sayısal olmalı",
	ReasonNotPositive:     "Sıfırdan büyük olmalı",
	ReasonNotMilliseconds: "Saniye değil, milisaniye cinsinden Unix zamanı olmalı",
	ReasonUnknownType:     "video olmalı",
	ReasonUnknownEndHow:   "AUTOMATIC veya BY_HOST olmalı",
	ReasonUnknownEndWhen:  "END_TIME veya END_OF_DURATION olmalı",
	ReasonTooLarge:        "Çok büyük",
}

// refusal is why the fake refuses a request: a missing parameter, an
// invalid one, or credentials that name no account.
type refusal struct {
	param       string // the parameter missing, or invalid when why is set
	why         string // for an invalid parameter: one of the Reason constants
	credentials bool   // the credentials name no account of the fake
}

// message words r in lang: Turkish for "tr", English otherwise (as the
// provider does when lang is absent).
func (r refusal) message(lang string) string {
	turkish := gurulize.Language(lang) == gurulize.Turkish
	switch {
	case r.credentials && turkish:
		return turkishInvalidCredentials
	case r.credentials:
		return MessageInvalidCredentials
	case r.why == "" && turkish:
		return turkishMissingParameter + " (" + r.param + ")"
	case r.why == "":
		return MissingParameterMessage(r.param)
	case turkish:
		return turkishInvalidParameter + " (" + r.param + "): " + turkishReasons[r.why]
	}
	return InvalidParameterMessage(r.param, r.why)
}
