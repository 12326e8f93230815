// A short two-tone beep made with WebAudio (no sound file to ship). Browsers only let a page make sound after a person
// has touched it, so the audio context starts at the first click or key; the choice to mute is kept per browser.
export class Beeper {
  #context = null;
  #last = -Infinity;
  muted = localStorage.getItem("warning.console.muted") === "1";

  constructor() {
    const unlock = () => {
      this.#context ??= new AudioContext();
      this.#context.resume();
    };
    document.addEventListener("pointerdown", unlock, { once: true });
    document.addEventListener("keydown", unlock, { once: true });
  }

  toggle() {
    this.muted = !this.muted;
    localStorage.setItem("warning.console.muted", this.muted ? "1" : "0");
  }

  beep() {
    // A wave of critical alerts is one beep, not a siren.
    if (this.muted || performance.now() - this.#last < 1500) return;
    this.#last = performance.now();
    document.body.dataset.beeps = String(Number(document.body.dataset.beeps ?? 0) + 1);
    const ctx = this.#context;
    if (!ctx || ctx.state !== "running") return;
    [880, 660].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const at = ctx.currentTime + i * 0.18;
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.17);
    });
  }
}
