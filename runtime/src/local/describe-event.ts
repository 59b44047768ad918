import type { SupervisorEvent } from './supervisor';

/** One line for a terminal about something the supervisor saw. */
export function describeEvent(event: SupervisorEvent): string | undefined {
  switch (event.type) {
    case 'spawn':
      return undefined;
    case 'spawn-error':
      return `✗ ${event.name} could not start: ${event.message}`;
    case 'exit': {
      const how = event.exit.signal ? `killed by ${event.exit.signal}` : `exited with code ${event.exit.code}`;
      const next = event.restartInMs === null ? '' : `; restarting in ${event.restartInMs} ms`;
      return `! ${event.name} ${how}${next}`;
    }
  }
}
