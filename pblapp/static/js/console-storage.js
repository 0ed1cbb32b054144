// The server's disk is full: a post was refused with storage_full, and the server told the
// console (storage:full). A banner says so until a post is stored again, which shows as a
// contribution newer than any the console had.
export function storageBanner(socket) {
  const banner = document.querySelector("[data-testid=storage-full]");
  let newest = 0;
  socket.on("storage:full", () => {
    banner.hidden = false;
  });
  socket.on("contribution:added", (contribution) => {
    if (contribution.seq <= newest) return; // a replay after a reconnect proves nothing
    newest = contribution.seq;
    banner.hidden = true;
  });
}
