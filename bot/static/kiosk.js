// Play a message's audio only after a tap (browsers block autoplay before a gesture).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.replay");
  if (!button) return;
  var audio = document.getElementById(button.dataset.audio);
  if (!audio) return;
  audio.currentTime = 0;
  audio.play();
});
