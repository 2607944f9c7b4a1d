// Package fields names the request fields a *gurulize.ValidationError can be
// about, as typed constants: the SDK sets ValidationError.Field from them,
// and the command maps them to its flags, so that neither side spells the
// other's strings.
package fields

// Field is a request field, as ValidationError.Field holds it.
type Field string

// The fields of VideoRoomRequest and CallRequest.
const (
	VideoDuration Field = "VideoRoomRequest.Duration"
	VideoStartAt  Field = "VideoRoomRequest.StartAt"
	VideoEndHow   Field = "VideoRoomRequest.EndHow"
	VideoEndWhen  Field = "VideoRoomRequest.EndWhen"
	VideoLanguage Field = "VideoRoomRequest.Language"

	CallCaller      Field = "CallRequest.Caller"
	CallCallee      Field = "CallRequest.Callee"
	CallMaxDuration Field = "CallRequest.MaxDuration"
	CallLanguage    Field = "CallRequest.Language"
)
