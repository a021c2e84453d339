namespace SafeMigrations;

/// <summary>
/// When a migration step runs relative to the deployment of the new application version.
/// </summary>
public enum MigrationPhase
{
    /// <summary>
    /// Runs before the new application version is deployed. Only backward-compatible changes belong here:
    /// both the old and the new application version keep working afterwards. This is the default for every step.
    /// </summary>
    Expand = 0,

    /// <summary>
    /// Runs after every instance runs the new application version: destructive steps such as dropping the old
    /// column or table. This is the point of no return; it is never run implicitly.
    /// </summary>
    Contract = 1,
}
