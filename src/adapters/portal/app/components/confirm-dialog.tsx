import type { ReactNode } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.js';
import { ApiErrorBar } from './api-error-bar.js';
import { useRestoreFocus } from './restore-focus.js';

export interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children: ReactNode;
  /** Label of the confirming button; "Yes" when omitted. */
  readonly confirmLabel?: string;
  readonly busy?: boolean;
  readonly error?: ApiError | null;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** The one confirmation for destructive actions (Unblock, block sign-in, reset password). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { t } = useTranslation();
  useRestoreFocus(props.open);
  return (
    <Dialog
      open={props.open}
      modalType="alert"
      onOpenChange={(_e, data) => {
        if (!data.open && props.busy !== true) props.onCancel();
      }}
    >
      <DialogSurface data-testid="confirm-dialog">
        <DialogBody>
          <DialogTitle as="h2">{props.title}</DialogTitle>
          <DialogContent>
            {props.children}
            {props.error ? <ApiErrorBar error={props.error} /> : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              onClick={props.onConfirm}
              disabled={props.busy === true}
              icon={props.busy === true ? <Spinner size="tiny" /> : undefined}
              data-testid="confirm-yes"
            >
              {props.confirmLabel ?? t('common.yes')}
            </Button>
            <Button onClick={props.onCancel} disabled={props.busy === true}>
              {t('common.no')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
