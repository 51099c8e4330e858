const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  return Math.round((new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
}

/**
 * Python's `strftime` for the directives chat templates use, in local time with English (C locale) names,
 * as Hugging Face's `strftime_now` gives them on Linux. `%-d`-style directives drop the zero padding, as glibc's do.
 * Unknown directives are left as written.
 */
export function strftime(date: Date, format: string): string {
  return format.replace(/%(-?)([a-zA-Z%])/g, (directive, noPad: string, letter: string) => {
    const value = formatDirective(date, letter);
    if (value === undefined) return directive;
    return noPad ? value.replace(/^[0 ]+(?=.)/, '') : value;
  });
}

function formatDirective(date: Date, letter: string): string | undefined {
  const hours12 = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  switch (letter) {
    case 'Y': return String(date.getFullYear());
    case 'y': return pad(date.getFullYear() % 100);
    case 'm': return pad(date.getMonth() + 1);
    case 'd': return pad(date.getDate());
    case 'e': return String(date.getDate()).padStart(2, ' ');
    case 'B': return MONTHS[date.getMonth()];
    case 'b': return MONTHS[date.getMonth()].slice(0, 3);
    case 'A': return WEEKDAYS[date.getDay()];
    case 'a': return WEEKDAYS[date.getDay()].slice(0, 3);
    case 'H': return pad(date.getHours());
    case 'I': return pad(hours12);
    case 'p': return date.getHours() < 12 ? 'AM' : 'PM';
    case 'M': return pad(date.getMinutes());
    case 'S': return pad(date.getSeconds());
    case 'j': return pad(dayOfYear(date), 3);
    case '%': return '%';
    default: return undefined;
  }
}
