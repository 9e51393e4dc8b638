// The part of the qrcode package the Security page uses (the package ships no types).
declare module 'qrcode' {
  type Options = { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'; margin?: number; width?: number; type?: 'svg' | 'image/png' };
  export function toString(text: string, options?: Options): Promise<string>;
  export function toDataURL(text: string, options?: Options): Promise<string>;
}
