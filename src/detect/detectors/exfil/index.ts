// The exfiltration detectors, in one list for the scanner.
import type { Detector } from "../../types";
import { base64Blob } from "./base64-blob";
import { dnsTunnel } from "./dns-tunnel";
import { markdownImage } from "./markdown-image";
import { markdownLink } from "./markdown-link";
import { suspiciousHost } from "./suspicious-host";

export const exfilDetectors: readonly Detector[] = [markdownImage, markdownLink, suspiciousHost, dnsTunnel, base64Blob];
