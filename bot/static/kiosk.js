// The kiosk's few behaviours: play a message's sound, record a spoken answer, print the card,
// and go back to the welcome for a new person after a while without a touch.
(function () {
  "use strict";

  // Play a message's audio after a tap (browsers block sound before a gesture).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.replay");
    if (button) {
      var audio = document.getElementById(button.dataset.audio);
      if (!audio) return;
      audio.currentTime = 0;
      audio.play();
      return;
    }
    if (event.target.closest("button.print")) window.print();
  });

  // In sound mode the question speaks as soon as the page opens, when the browser allows it.
  function speakQuestion() {
    var audio = document.querySelector("#question audio");
    if (!audio) return;
    var playing = audio.play();
    if (playing && playing.catch) playing.catch(function () { /* a tap on Écouter plays it */ });
  }

  // Back to the welcome (a new person) after `data-idle` seconds without a touch or a key.
  function watchIdle() {
    var seconds = Number(document.body.dataset.idle || 0);
    var form = document.getElementById("idle");
    if (!seconds || !form) return;
    var timer = null;
    function restart() {
      clearTimeout(timer);
      timer = setTimeout(function () { form.submit(); }, seconds * 1000);
    }
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    restart();
  }

  // A spoken answer: MediaRecorder in the browser, sent to /kiosk/voix with the page's token.
  function recorder(box) {
    var start = box.querySelector(".record");
    var send = box.querySelector(".send-voice");
    var status = box.querySelector(".voice-status");
    var media = null;
    var chunks = [];
    box.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        media = new MediaRecorder(stream);
        media.addEventListener("dataavailable", function (e) { if (e.data.size) chunks.push(e.data); });
        media.addEventListener("stop", function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          upload(new Blob(chunks, { type: media.mimeType || "audio/webm" }));
        });
        media.start();
        start.hidden = true;
        send.hidden = false;
        send.focus();
        status.textContent = "J'écoute. Parlez. Puis appuyez sur : J'ai fini de parler.";
      }).catch(function () {
        status.textContent = "Le micro ne marche pas. Écrivez votre réponse.";
      });
    });
    send.addEventListener("click", function () {
      if (media && media.state === "recording") media.stop();
      send.disabled = true;
      status.textContent = "J'envoie votre message.";
    });
    function upload(blob) {
      fetch("/kiosk/voix", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": blob.type, "X-CSRF-Token": box.dataset.csrf,
                   "X-Nonce": box.dataset.nonce, "X-Step": box.dataset.step },
        body: blob
      }).then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) { window.location.assign(data.next); return; }
          status.textContent = data.error;
          send.hidden = true;
          send.disabled = false;
          start.hidden = false;
        });
      }).catch(function () {
        status.textContent = "Le message n'est pas parti. Écrivez votre réponse.";
      });
    }
  }

  // A focused control is shown whole (a tall text box too), never half under the screen's edge.
  document.addEventListener("focusin", function (event) {
    var box = event.target.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) event.target.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("DOMContentLoaded", function () {
    speakQuestion();
    watchIdle();
    var box = document.querySelector(".recorder");
    if (box && navigator.mediaDevices && window.MediaRecorder) recorder(box);
  });
})();
