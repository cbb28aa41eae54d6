namespace VmSnapshot.Lab.Faults;

/// <summary>What a fault rule does to a request it picks (the YAML name is the camelCase of each).</summary>
public enum FaultKind
{
    /// <summary>429 with Retry-After, as API Priority and Fairness rejects a request before any handler runs.</summary>
    Throttle,

    /// <summary>500 InternalError after nothing was done (an etcd timeout, a failing webhook call).</summary>
    Error,

    /// <summary>503 "service unavailable", as the aggregator answers while virt-api (or any APIService) is down.</summary>
    Unavailable,

    /// <summary>The connection is closed after the request arrived, before it is carried out: nothing was done, nothing answered.</summary>
    Reset,

    /// <summary>The request is carried out, then the connection is closed before any byte of the answer.</summary>
    LostResponse,

    /// <summary>The request is carried out and the answer is cut off in the middle of its body.</summary>
    Truncate,

    /// <summary>A watch stream is closed (without its final chunk) a while after it started.</summary>
    CloseWatch,

    /// <summary>A watch resumed from a resourceVersion gets 200 and an ERROR event with 410 Expired, as the watch cache answers for compacted history.</summary>
    ExpireWatch,

    /// <summary>The answer comes after a delay.</summary>
    Slow,

    /// <summary>The API server restarts: every open connection is closed and new ones are refused for a while.</summary>
    Restart,
}
