//! The simulated life of one case: each legal step at a simulated time, some late, some corrected.

use super::*;

impl<'a> Demo<'a> {
    pub(crate) fn name(&mut self, female: bool) -> String {
        let family = FAMILY.choose(&mut self.rng).copied().unwrap_or("Nguyễn");
        let middle = if female {
            "Thị"
        } else {
            MIDDLE.choose(&mut self.rng).copied().unwrap_or("Văn")
        };
        let given = GIVEN.choose(&mut self.rng).copied().unwrap_or("An");
        format!("{family} {middle} {given}")
    }

    /// A decision number of the commune People's Committee.
    pub(crate) fn decision(&mut self) -> String {
        format!("{}/QĐ-UBND", self.rng.gen_range(10..400))
    }

    pub(crate) fn hours(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(self.rng.gen_range(lo * 60..=hi * 60))
    }

    pub(crate) async fn case(
        &mut self,
        id: &str,
        by: &Actor,
        at: DateTime<Utc>,
        action: CaseAction,
    ) -> anyhow::Result<()> {
        let cmd = CaseCommand {
            actor: by.clone(),
            at,
            action,
        };
        self.app
            .case(id, cmd, at, hoso_service::app::LOCAL)
            .await
            .map_err(|e| anyhow::anyhow!("demo case {id}: {e}"))
    }

    pub(crate) fn factors(&mut self, overall: RiskLevel) -> RiskFactors {
        let pick = |rng: &mut StdRng| {
            *[
                RiskLevel::Low,
                RiskLevel::Medium,
                RiskLevel::High,
                overall,
                overall,
            ]
            .choose(rng)
            .unwrap_or(&overall)
        };
        RiskFactors {
            severity_of_harm: overall,
            abuser_access: pick(&mut self.rng),
            care_environment_obstacles: pick(&mut self.rng),
            child_capacity: pick(&mut self.rng),
        }
    }

    /// Drives one case from intake to `target`; every step at a plausible time,
    /// a few of them late.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn drive_case(
        &mut self,
        id: &str,
        staff: &CommuneStaff,
        other: &CommuneStaff,
        hotline: &Actor,
        child_id: &str,
        dob: NaiveDate,
        target: Target,
        received_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let late = self.rng.gen_bool(0.25);
        let from_hotline = self.rng.gen_bool(0.4);
        let harm = *[
            HarmType::Violence,
            HarmType::Neglect,
            HarmType::SexualAbuse,
            HarmType::Exploitation,
            HarmType::Abandonment,
            HarmType::Trafficking,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&HarmType::Violence);
        let (source, intake_by) = if from_hotline {
            (IntakeSource::Hotline111, hotline.clone())
        } else {
            let s = *[
                IntakeSource::School,
                IntakeSource::Police,
                IntakeSource::NeighbourOrRelative,
                IntakeSource::HealthFacility,
                IntakeSource::ChildSelf,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&IntakeSource::School);
            (s, staff.worker.clone())
        };
        let reporter = if self.rng.gen_bool(0.3) {
            None
        } else {
            let female = self.rng.gen_bool(0.5);
            Some(Reporter {
                name: self.name(female),
                phone: Some(format!("09{:08}", self.rng.gen_range(0..100_000_000u32))),
                relation: ["hàng xóm", "giáo viên chủ nhiệm", "bà ngoại", "trưởng thôn"]
                    .choose(&mut self.rng)
                    .unwrap_or(&"hàng xóm")
                    .to_string(),
            })
        };
        let mut t = received_at + self.hours(0, 2);
        let description = match harm {
            HarmType::Violence => "Trẻ bị người cha đánh nhiều lần, có vết bầm ở tay và lưng; hàng xóm nghe tiếng la hét.",
            HarmType::Neglect => "Trẻ thường xuyên ở nhà một mình, không được cho ăn đầy đủ, nghỉ học nhiều ngày.",
            HarmType::SexualAbuse => "Trẻ có dấu hiệu bị xâm hại tình dục, giáo viên phát hiện và báo tin.",
            HarmType::Exploitation => "Trẻ bị bắt đi bán vé số đến khuya, không được đến trường.",
            HarmType::Abandonment => "Trẻ sơ sinh bị bỏ rơi trước cổng trạm y tế xã.",
            _ => "Nghi trẻ bị dụ dỗ đưa sang tỉnh khác làm việc; gia đình mất liên lạc hai ngày.",
        };
        self.case(
            id,
            &intake_by,
            t,
            CaseAction::RecordIntake(Intake {
                child_id: child_id.to_string(),
                date_of_birth: dob,
                commune: staff.commune,
                source,
                source_description: None,
                reporter,
                description: description.to_string(),
                harm_types: vec![harm],
                received_at,
                responsible_worker: Some(staff.worker.officer_id.clone()),
            }),
        )
        .await?;
        if target == Target::Received {
            return Ok(());
        }
        t += if late {
            self.hours(10, 30)
        } else {
            self.hours(1, 4)
        };
        let confirmed = target != Target::Unfounded;
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::RecordFactCheck(FactCheck {
                confirmed,
                findings: if confirmed {
                    "Đã xác minh tại gia đình và trường học: thông tin báo tin là đúng.".into()
                } else {
                    "Đã xác minh: không có dấu hiệu trẻ bị xâm hại, thông tin không chính xác."
                        .into()
                },
            }),
        )
        .await?;
        if target == Target::FactChecked {
            return Ok(());
        }
        if target == Target::Unfounded {
            t += self.hours(24, 72);
            let decision = self.decision();
            return self
                .case(
                    id,
                    &staff.chairman,
                    t,
                    CaseAction::CloseCase(Closure {
                        reason: CloseReason::Unfounded,
                        decision_ref: decision,
                        note: String::new(),
                    }),
                )
                .await;
        }
        let overall = *[RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]
            .choose(&mut self.rng)
            .unwrap_or(&RiskLevel::Medium);
        let emergency = overall == RiskLevel::High || target == Target::Emergency;
        t += self.hours(1, 3);
        let factors = self.factors(overall);
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::AssessInitialRisk(InitialAssessment {
                factors,
                overall,
                emergency_needed: emergency,
                protection_level: ProtectionLevel::Intervention,
                notes: "Đánh giá tại nhà trẻ, có mặt trưởng thôn.".into(),
            }),
        )
        .await?;
        if target == Target::InitiallyAssessed {
            return Ok(());
        }
        if emergency {
            t += if late {
                self.hours(12, 20)
            } else {
                self.hours(1, 3)
            };
            let decision = self.decision();
            self.case(
                id,
                &staff.chairman,
                t,
                CaseAction::OrderEmergencyMeasures(EmergencyOrder {
                    measures: vec![
                        EmergencyMeasure::TemporarySeparation,
                        EmergencyMeasure::MedicalCare,
                    ],
                    details: "Đưa trẻ đến nhà bà ngoại, khám tại trạm y tế xã.".into(),
                    decision_ref: decision,
                }),
            )
            .await?;
        }
        if target == Target::Emergency {
            return Ok(());
        }
        t += if late {
            self.hours(80, 140)
        } else {
            self.hours(20, 50)
        };
        let factors = self.factors(overall);
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::AssessSpecificRisk(SpecificAssessment {
                factors,
                overall,
                protection_level: ProtectionLevel::Intervention,
                needs: vec![
                    "Chăm sóc y tế".into(),
                    "Hỗ trợ tâm lý".into(),
                    "Tiếp tục đi học".into(),
                ],
                minutes: NeedsMeetingMinutes {
                    held_at: t - Duration::hours(2),
                    participants: vec![
                        staff.worker.officer_id.clone(),
                        "Mẹ của trẻ".into(),
                        "Giáo viên chủ nhiệm".into(),
                    ],
                    summary: "Họp xác định nhu cầu của trẻ và gia đình.".into(),
                },
            }),
        )
        .await?;
        if target == Target::SpecificallyAssessed {
            return Ok(());
        }
        let mut version = 0;
        let drafts = if target == Target::PlanSentBack {
            1
        } else {
            1 + usize::from(self.rng.gen_bool(0.2))
        };
        for d in 0..drafts {
            t += if late {
                self.hours(60, 120)
            } else {
                self.hours(10, 30)
            };
            self.draft_plan(id, staff, t).await?;
            version += 1;
            if target == Target::PlanDrafted {
                return Ok(());
            }
            if d + 1 < drafts || target == Target::PlanSentBack {
                t += self.hours(4, 30);
                self.case(
                    id,
                    &staff.chairman,
                    t,
                    CaseAction::SendBackPlan(PlanSendBack {
                        plan_version: version,
                        reason:
                            "Cần bổ sung nguồn lực và người chịu trách nhiệm cho từng hoạt động."
                                .into(),
                    }),
                )
                .await?;
                if target == Target::PlanSentBack {
                    return Ok(());
                }
            }
        }
        t += if late {
            self.hours(40, 90)
        } else {
            self.hours(4, 30)
        };
        self.approve(id, staff, t, version).await?;
        if target == Target::PlanApproved {
            return Ok(());
        }
        t += self.hours(24, 96);
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::RecordService(ServiceDelivery {
                kind: ServiceKind::Psychological,
                provider: "Trung tâm Công tác xã hội tỉnh".into(),
                delivered_at: t - Duration::hours(1),
                notes: "Buổi tư vấn tâm lý đầu tiên.".into(),
            }),
        )
        .await?;
        t += self.hours(2, 30);
        self.case(
            id,
            &staff.collaborator,
            t,
            CaseAction::AddNote(Note {
                kind: NoteKind::FollowUpVisit,
                text: "Thăm gia đình: trẻ đi học đều, ăn uống bình thường.".into(),
            }),
        )
        .await?;
        if self.rng.gen_bool(0.4) {
            t += self.hours(2, 30);
            self.case(
                id,
                &staff.worker,
                t,
                CaseAction::RecordReferral(Referral {
                    direction: ReferralDirection::To,
                    agency: "Bệnh viện Đa khoa huyện".into(),
                    reason: "Khám chuyên khoa và điều trị.".into(),
                }),
            )
            .await?;
        }
        if self.rng.gen_bool(0.3) {
            t += self.hours(1, 10);
            let digest: [u8; 32] = self.rng.gen();
            let size_bytes = self.rng.gen_range(20_000..900_000);
            self.case(
                id,
                &staff.worker,
                t,
                CaseAction::AddAttachment(Attachment {
                    sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
                    size_bytes,
                    media_type: "application/pdf".into(),
                    file_name: "bien-ban-hop.pdf".into(),
                    description: "Biên bản họp xác định nhu cầu (bản quét).".into(),
                }),
            )
            .await?;
        }
        if target == Target::ServicesUnderway {
            return Ok(());
        }
        if target == Target::Transferred {
            t += self.hours(24, 72);
            return self
                .case(
                    id,
                    &staff.chairman,
                    t,
                    CaseAction::TransferCase(Transfer {
                        to: other.commune,
                        reason: "Gia đình chuyển nơi cư trú.".into(),
                    }),
                )
                .await;
        }
        t += self.hours(24 * 7, 24 * 20);
        let safe = target != Target::NeedsNewPlan;
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::RecordReview(Review {
                outcome: if safe {
                    ReviewOutcome::SafeAndStable
                } else {
                    ReviewOutcome::NeedsNewPlan
                },
                participants: vec![staff.worker.officer_id.clone(), "Gia đình trẻ".into()],
                summary: if safe {
                    "Trẻ an toàn, ổn định; đề nghị kết thúc hồ sơ.".into()
                } else {
                    "Nguy cơ vẫn còn; cần xây dựng kế hoạch mới.".into()
                },
            }),
        )
        .await?;
        if !safe {
            return Ok(());
        }
        t += self.hours(24, 72);
        let decision = self.decision();
        self.case(
            id,
            &staff.chairman,
            t,
            CaseAction::CloseCase(Closure {
                reason: CloseReason::SafeAndStable,
                decision_ref: decision,
                note: String::new(),
            }),
        )
        .await?;
        if target == Target::Reopened {
            t += self.hours(24 * 5, 24 * 20);
            self.case(
                id,
                &staff.chairman,
                t,
                CaseAction::ReopenCase(Reopening {
                    reason: "Nhận tin báo mới: trẻ lại bị bạo lực.".into(),
                }),
            )
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn draft_plan(
        &mut self,
        id: &str,
        staff: &CommuneStaff,
        t: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let review = (t + Duration::days(30)).date_naive();
        self.case(
            id,
            &staff.worker,
            t,
            CaseAction::DraftPlan(PlanDraft {
                objectives: vec![
                    "Bảo đảm an toàn cho trẻ tại gia đình".into(),
                    "Trẻ tiếp tục đi học".into(),
                ],
                services: vec![
                    PlannedService {
                        kind: ServiceKind::Psychological,
                        provider: "Trung tâm Công tác xã hội tỉnh".into(),
                        due: Some((t + Duration::days(14)).date_naive()),
                    },
                    PlannedService {
                        kind: ServiceKind::Education,
                        provider: "Trường tiểu học xã".into(),
                        due: None,
                    },
                ],
                review_date: review,
            }),
        )
        .await
    }

    pub(crate) async fn approve(
        &mut self,
        id: &str,
        staff: &CommuneStaff,
        t: DateTime<Utc>,
        version: u32,
    ) -> anyhow::Result<()> {
        let decision_ref = format!("{}/QĐ-UBND", self.rng.gen_range(10..400));
        self.case(
            id,
            &staff.chairman,
            t,
            CaseAction::ApprovePlan(PlanApproval {
                plan_version: version,
                decision_ref,
            }),
        )
        .await
    }
}
