// A request over the socket that waits for the server's ack. The server acks every event
// with {ok: true, ...} or {ok: false, error: {code, message}}; no ack in time counts as the
// refusal "no_answer". A refusal is never silent: the caller either handles its code
// itself or the helper shows it, in the page's language, where the caller says.

const TIMEOUT_MS = 10000;
const NO_ANSWER = { code: "no_answer", message: "The server did not answer." };

// The text for a refusal: the page's translated message, else the server's own words.
function refusalText(error, messages) {
  return messages[error.code] || error.message || error.code;
}

// Resolves with the answer if the server did it, otherwise with null once the refusal has
// been handled or shown. Options:
//   show: an element (role="alert") to put the text in, hidden again after a success;
//     or a function (text, error) => ...
//   handle: {code: (text, error) => ...} for the codes the caller deals with itself.
//   messages: the page's translated messages (config.messages), keyed by code.
export function request(socket, event, payload, options) {
  const { show, handle = {}, messages = {}, timeout = TIMEOUT_MS } = options;
  // Checked before sending, so that a caller that forgot it fails loudly, not silently later.
  if (!show) throw new Error(`request("${event}") needs somewhere to show a refusal`);
  return new Promise((resolve) => {
    socket.timeout(timeout).emit(event, payload, (err, answer) => {
      if (!err && answer && answer.ok) {
        if (show instanceof Element) show.hidden = true;
        resolve(answer);
        return;
      }
      const error = err || !answer ? NO_ANSWER : answer.error;
      const text = refusalText(error, messages);
      if (handle[error.code]) {
        handle[error.code](text, error);
      } else if (show instanceof Element) {
        show.textContent = text;
        show.hidden = false;
      } else {
        show(text, error);
      }
      resolve(null);
    });
  });
}
