/**
 * Around a lazily loaded part of the board (the facilitator's panel, the room kit's sheets, the
 * plan's print view): when its chunk cannot be fetched, it says so in place instead of failing.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface LoadBoundaryProps {
  readonly children: ReactNode;
  readonly message: string;
  readonly retryLabel: string;
  readonly closeLabel: string;
  readonly onRetry: () => void;
  readonly onClose: () => void;
}

/** A lazy chunk could not be fetched (no network): say so where it would have shown, offer a retry and a way out. */
export class LoadBoundary extends Component<LoadBoundaryProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.warn('a lazily loaded part failed to load', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <span className="setup-loading" role="alert">
        {this.props.message}{' '}
        <button type="button" className="link-button" onClick={this.props.onRetry}>
          {this.props.retryLabel}
        </button>{' '}
        <button type="button" className="link-button" onClick={this.props.onClose}>
          {this.props.closeLabel}
        </button>
      </span>
    );
  }
}
