/**
 * The stress engine's random numbers: a counter-free generator per path, seeded from (seed, path index) alone, so a
 * path draws the same numbers whichever worker runs it and however many paths run beside it. xoshiro128** (Blackman
 * and Vigna) seeded through splitmix32; normals by the Box–Muller transform. 32-bit integer arithmetic only: the
 * same numbers in every JavaScript engine.
 */

/** splitmix32: one step of a 32-bit mixing sequence (used to spread a seed over the generator's state). */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A 32-bit hash of a seed (any safe integer) and a path index. */
export function pathSeed(seed: number, path: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return splitmix32(splitmix32(splitmix32(lo) ^ hi) ^ Math.imul(path + 1, 0x27d4eb2d));
}

/** A seeded generator of uniform and normal numbers. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    let s = seed >>> 0;
    this.a = s = splitmix32(s);
    this.b = s = splitmix32(s);
    this.c = s = splitmix32(s);
    this.d = splitmix32(s) | 1;
  }

  /** The generator of path `path` of a run seeded with `seed`. */
  static forPath(seed: number, path: number): Rng {
    return new Rng(pathSeed(seed, path));
  }

  /** A uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform number in (0, 1): never 0, so its logarithm is finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4_294_967_296;
  }

  /** A standard normal number (Box–Muller, the second of each pair kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
