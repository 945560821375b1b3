using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class BulkRunByLine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_MessageId",
                table: "OutboxMessages");

            migrationBuilder.DropIndex(
                name: "IX_BulkJobRows_JobId_Outcome",
                table: "BulkJobRows");

            migrationBuilder.DropIndex(
                name: "IX_AspNetUsers_State_CreatedAt",
                table: "AspNetUsers");

            migrationBuilder.AddColumn<int>(
                name: "LastLine",
                table: "BulkJobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Runs under way go on after the last row they finished.
            migrationBuilder.Sql(
                "UPDATE \"BulkJobs\" SET \"LastLine\" = COALESCE((SELECT MAX(r.\"Line\") FROM \"BulkJobRows\" r " +
                "WHERE r.\"JobId\" = \"BulkJobs\".\"Id\" AND r.\"Outcome\" IS NOT NULL), 0)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LastLine",
                table: "BulkJobs");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_MessageId",
                table: "OutboxMessages",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BulkJobRows_JobId_Outcome",
                table: "BulkJobRows",
                columns: new[] { "JobId", "Outcome" });

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUsers_State_CreatedAt",
                table: "AspNetUsers",
                columns: new[] { "State", "CreatedAt" });
        }
    }
}
