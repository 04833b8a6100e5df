import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';

export type LoadState<T> =
  | { readonly status: 'loading'; readonly data: T | undefined; readonly error: undefined }
  | { readonly status: 'ok'; readonly data: T; readonly error: undefined }
  | { readonly status: 'error'; readonly data: T | undefined; readonly error: ApiError };

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'BAD_RESPONSE', err instanceof Error ? err.message : String(err));
}

/**
 * Loads data for a page and reloads when `key` changes. A reload keeps the previous data on screen
 * (no blank page while a filter changes); a later answer always wins over an earlier one.
 */
export function useApiLoad<T>(load: () => Promise<T>, key: string): LoadState<T> & { reload: () => void } {
  const [state, setState] = useState<LoadState<T>>({ status: 'loading', data: undefined, error: undefined });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let isCurrent = true;
    setState((prev) => ({ status: 'loading', data: prev.data, error: undefined }));
    loadRef.current().then(
      (data) => {
        if (isCurrent) setState({ status: 'ok', data, error: undefined });
      },
      (err: unknown) => {
        if (isCurrent) setState((prev) => ({ status: 'error', data: prev.data, error: toApiError(err) }));
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
