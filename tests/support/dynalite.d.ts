/** The part of dynalite's API the tests use (it ships no types). */
declare module 'dynalite' {
  import type { Server } from 'node:http';
  export default function dynalite(options?: { path?: string; createTableMs?: number }): Server;
}
