using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class BulkInvitations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "BulkJobId",
                table: "Invitations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Name",
                table: "Invitations",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "BulkJobs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    TotalRows = table.Column<int>(type: "INTEGER", nullable: false),
                    NewRows = table.Column<int>(type: "INTEGER", nullable: false),
                    MemberRows = table.Column<int>(type: "INTEGER", nullable: false),
                    PendingRows = table.Column<int>(type: "INTEGER", nullable: false),
                    OptedOutRows = table.Column<int>(type: "INTEGER", nullable: false),
                    InvalidRows = table.Column<int>(type: "INTEGER", nullable: false),
                    DuplicateRows = table.Column<int>(type: "INTEGER", nullable: false),
                    DefaultRole = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DefaultMessage = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Resend = table.Column<bool>(type: "INTEGER", nullable: false),
                    ExpiryDays = table.Column<int>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ProcessedRows = table.Column<int>(type: "INTEGER", nullable: false),
                    SentRows = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BulkJobRows",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<long>(type: "INTEGER", nullable: false),
                    Line = table.Column<int>(type: "INTEGER", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Canonical = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Role = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ExpiresDays = table.Column<int>(type: "INTEGER", nullable: true),
                    Class = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Outcome = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkJobRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BulkJobRows_BulkJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "BulkJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Invitations_BulkJobId",
                table: "Invitations",
                column: "BulkJobId");

            migrationBuilder.CreateIndex(
                name: "IX_BulkJobRows_JobId_Class",
                table: "BulkJobRows",
                columns: new[] { "JobId", "Class" });

            migrationBuilder.CreateIndex(
                name: "IX_BulkJobRows_JobId_Line",
                table: "BulkJobRows",
                columns: new[] { "JobId", "Line" });

            migrationBuilder.CreateIndex(
                name: "IX_BulkJobRows_JobId_Outcome",
                table: "BulkJobRows",
                columns: new[] { "JobId", "Outcome" });

            migrationBuilder.CreateIndex(
                name: "IX_BulkJobs_CreatedAt",
                table: "BulkJobs",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_BulkJobs_Status",
                table: "BulkJobs",
                column: "Status");

            migrationBuilder.AddForeignKey(
                name: "FK_Invitations_BulkJobs_BulkJobId",
                table: "Invitations",
                column: "BulkJobId",
                principalTable: "BulkJobs",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Invitations_BulkJobs_BulkJobId",
                table: "Invitations");

            migrationBuilder.DropTable(
                name: "BulkJobRows");

            migrationBuilder.DropTable(
                name: "BulkJobs");

            migrationBuilder.DropIndex(
                name: "IX_Invitations_BulkJobId",
                table: "Invitations");

            migrationBuilder.DropColumn(
                name: "BulkJobId",
                table: "Invitations");

            migrationBuilder.DropColumn(
                name: "Name",
                table: "Invitations");
        }
    }
}
