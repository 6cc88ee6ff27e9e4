// Keys inside Azure connection strings: storage accounts (AccountKey=, 64 bytes base64) and Service Bus / Event
// Hubs / IoT Hub (SharedAccessKey=, 32 bytes base64). The span is the key; the account and endpoint are identifiers.
import type { Detector, Finding } from "../../types";
import { isKnownExample, isPlaceholder } from "./placeholders";
import { eachMatch, secretFinding } from "./shared";

const KEY = /(?<![A-Za-z])(AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/gi;

export const azureConnectionString: Detector = {
  id: "azure_connection_string",
  category: "secret",
  keywords: ["accountkey=", "sharedaccesskey="],
  maxLength: 16 + 88,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(KEY, text, (m) => {
      const name = (m[1] ?? "").toLowerCase();
      const key = m[2] ?? "";
      if (isKnownExample(key) || isPlaceholder(key)) return;
      const storage = name === "accountkey";
      // A storage key is 88 characters, a shared access key 44; the other length is some other value.
      if (storage !== (key.length === 88)) return;
      const start = m.index + m[0].length - key.length;
      out.push(secretFinding(storage ? "azure_storage_account_key" : "azure_shared_access_key", start, start + key.length, 0.95));
    });
    return out;
  },
};
