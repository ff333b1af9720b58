/** Status bar item: overall governed-source coverage vs target; click opens the gap-closure plan. */
import * as vscode from 'vscode';
import type { Analysis } from '../coverage/model';
import { statusInfo, type StatusInfo } from './hints';

export class CoverageStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private analysis: Analysis | undefined;
  private running = false;
  info: StatusInfo = statusInfo(undefined);

  constructor(command: string) {
    this.item = vscode.window.createStatusBarItem('governanceCoverage.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Governance Coverage';
    this.item.command = command;
    this.render();
    this.item.show();
  }

  /** The analysis shown. */
  get current(): Analysis | undefined {
    return this.analysis;
  }

  /** Shows `analysis`, or "no figures yet" when undefined (a root that has not run with coverage). */
  setAnalysis(analysis: Analysis | undefined): void {
    this.analysis = analysis;
    this.render();
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    this.info = statusInfo(this.analysis, this.running);
    this.item.text = this.info.text;
    this.item.tooltip = this.info.tooltip;
    this.item.backgroundColor = this.info.belowTarget ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
